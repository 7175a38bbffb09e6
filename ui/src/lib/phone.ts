// Phone numbers as operators read them, and the search highlight on that form.
//
// The backend stores Russian numbers as E.164 (`+79161234567`, see `normalize_phone` in the
// model crate) and anything else as the provider sent it (`101`, `anonymous`, foreign E.164).

/** The ten national digits of a Russian number in any form the backend also reads as Russian. */
function russianNational(raw: string): string | null {
  const s = raw.trim();
  // Only digits and the usual separators: `sip:…`, `anonymous` and the like are not numbers.
  if (!/^\+?[\d\s().-]+$/.test(s)) return null;
  const digits = s.replace(/\D+/g, "");
  const plus = s.startsWith("+");
  let national: string | null = null;
  if (digits.length === 11 && digits.startsWith("7")) national = digits.slice(1);
  else if (digits.length === 11 && !plus && digits.startsWith("8")) national = digits.slice(1);
  else if (digits.length === 10 && !plus) national = digits;
  // Same area-code check as the backend: 3xx/4xx/8xx/9xx are Russian ranges.
  return national && /^[3489]/.test(national) ? national : null;
}

/**
 * A number for display: Russian numbers as `+7 916 123-45-67` (Moscow: `+7 495 123-45-67`),
 * whatever form they came in; anything else (extensions, `anonymous`, foreign numbers) trimmed
 * and otherwise unchanged, since its grouping cannot be known without numbering plans.
 */
export function formatPhone(raw: string): string {
  const n = russianNational(raw);
  if (!n) return raw.trim();
  return `+7 ${n.slice(0, 3)} ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`;
}

/**
 * The digits a search really looks for: the backend reads a leading trunk `8` of an
 * 11-digit input as `7` (`8 916…` finds `+7 916…`), so the highlight does the same.
 */
export function searchDigits(query: string): string {
  const d = query.replace(/\D+/g, "");
  return d.length === 11 && d.startsWith("8") ? `7${d.slice(1)}` : d;
}

/**
 * Splits a displayed number around the searched digits, for highlighting. The digits may be
 * separated by spaces and dashes in `text`; the marked part spans from the first matched digit
 * to the last. Null when `query` has no digits or they do not occur.
 */
export function highlightDigits(text: string, query: string): [string, string, string] | null {
  const wanted = searchDigits(query);
  if (!wanted) return null;
  const positions: number[] = [];
  let digits = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch >= "0" && ch <= "9") {
      positions.push(i);
      digits += ch;
    }
  }
  const at = digits.indexOf(wanted);
  if (at < 0) return null;
  const start = positions[at];
  const end = positions[at + wanted.length - 1] + 1;
  return [text.slice(0, start), text.slice(start, end), text.slice(end)];
}
