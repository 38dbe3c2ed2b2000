/**
 * Shannon entropy (bits per character) of text[start, end), the measure gitleaks uses as a floor for generic
 * secrets: a random base62 token of 20+ characters scores ≈ 4, an English word or an identifier ≈ 2.5–3.
 */
const counts = new Uint16Array(65536);

export function shannonEntropy(text: string, start: number, end: number): number {
  const n = end - start;
  if (n <= 0) return 0;
  for (let i = start; i < end; i++) counts[text.charCodeAt(i)] = (counts[text.charCodeAt(i)] as number) + 1;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const c = counts[code] as number;
    if (c === 0) continue; // already counted
    const p = c / n;
    bits -= p * Math.log2(p);
    counts[code] = 0;
  }
  return bits;
}

/** How many of lower case, upper case, digits and other characters occur in text[start, end). */
export function characterKinds(text: string, start: number, end: number): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}
