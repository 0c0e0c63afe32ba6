// Code points in AssemblyScript's UTF-16 strings (Rego counts and indexes strings by code point).

export function isHigh(c: u32): bool {
  return c >= 0xd800 && c <= 0xdbff;
}

export function isLow(c: u32): bool {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** the code point at unit i (a lone surrogate as itself) */
export function cpAt(s: string, i: i32): u32 {
  const c = <u32>s.charCodeAt(i);
  if (isHigh(c) && i + 1 < s.length) {
    const d = <u32>s.charCodeAt(i + 1);
    if (isLow(d)) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  return c;
}

/** its width in units */
export function cpWidth(cp: u32): i32 {
  return cp > 0xffff ? 2 : 1;
}

export function cpCount(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i += cpWidth(cpAt(s, i))) n++;
  return n;
}
