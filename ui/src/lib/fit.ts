/**
 * How many items of the given widths, laid out in order with `gap` px between them, fit in
 * `available` px: all of them if they fit, else as many as fit beside a "+N" control of
 * `moreWidth` px that stands for the rest (possibly none).
 */
export function fitCount(widths: readonly number[], available: number, gap: number, moreWidth: number): number {
  const total = widths.reduce((sum, w) => sum + w, 0) + gap * Math.max(0, widths.length - 1);
  if (total <= available) return widths.length;
  let used = moreWidth;
  let n = 0;
  for (const w of widths) {
    if (used + gap + w > available) break;
    used += gap + w;
    n++;
  }
  return n;
}
