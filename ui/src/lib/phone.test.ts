import { describe, expect, it } from "vitest";
import { formatPhone, highlightDigits, searchDigits } from "./phone";

describe("formatPhone", () => {
  it("groups a Russian mobile number as operators read it", () => {
    expect(formatPhone("+79161234567")).toBe("+7 916 123-45-67");
  });

  it("groups a Moscow number the same way", () => {
    expect(formatPhone("+74951234567")).toBe("+7 495 123-45-67");
  });

  it("reads the trunk 8, a bare 7 and ten bare digits as Russian, like the backend", () => {
    expect(formatPhone("89161234567")).toBe("+7 916 123-45-67");
    expect(formatPhone("8 (916) 123-45-67")).toBe("+7 916 123-45-67");
    expect(formatPhone("79161234567")).toBe("+7 916 123-45-67");
    expect(formatPhone("9161234567")).toBe("+7 916 123-45-67");
  });

  it("leaves short extensions, words and foreign numbers alone", () => {
    expect(formatPhone("101")).toBe("101");
    expect(formatPhone(" 101 ")).toBe("101");
    expect(formatPhone("anonymous")).toBe("anonymous");
    expect(formatPhone("+380441234567")).toBe("+380441234567");
    expect(formatPhone("+14155550123")).toBe("+14155550123");
    expect(formatPhone("883140584982783")).toBe("883140584982783");
    // +8 is not Russia; 10 digits after a plus are not a national number.
    expect(formatPhone("+89161234567")).toBe("+89161234567");
    expect(formatPhone("+9161234567")).toBe("+9161234567");
    // Not a Russian area code.
    expect(formatPhone("+71234567890")).toBe("+71234567890");
    expect(formatPhone("sip:101@pbx.example")).toBe("sip:101@pbx.example");
  });
});

describe("searchDigits", () => {
  it("keeps digits and reads an 11-digit trunk 8 as 7", () => {
    expect(searchDigits("+7 916 123-45-67")).toBe("79161234567");
    expect(searchDigits("8 (916) 123-45-67")).toBe("79161234567");
    expect(searchDigits("9161234567")).toBe("9161234567");
    expect(searchDigits("4567")).toBe("4567");
    expect(searchDigits("8916")).toBe("8916");
  });
});

describe("highlightDigits", () => {
  const shown = "+7 916 123-45-67";

  it("marks digits that are separated by spaces and dashes", () => {
    expect(highlightDigits(shown, "4567")).toEqual(["+7 916 123-", "45-67", ""]);
    expect(highlightDigits(shown, "6123")).toEqual(["+7 91", "6 123", "-45-67"]);
  });

  it("marks the whole number for every way of typing it", () => {
    for (const typed of ["+7 916 123-45-67", "8 (916) 123-45-67", "79161234567"]) {
      expect(highlightDigits(shown, typed)).toEqual(["+", "7 916 123-45-67", ""]);
    }
    expect(highlightDigits(shown, "9161234567")).toEqual(["+7 ", "916 123-45-67", ""]);
  });

  it("marks nothing without digits or without a match", () => {
    expect(highlightDigits(shown, "")).toBeNull();
    expect(highlightDigits(shown, "abc")).toBeNull();
    expect(highlightDigits(shown, "999")).toBeNull();
    expect(highlightDigits("anonymous", "1")).toBeNull();
  });

  it("works on numbers shown as they came", () => {
    expect(highlightDigits("101", "01")).toEqual(["1", "01", ""]);
  });
});
