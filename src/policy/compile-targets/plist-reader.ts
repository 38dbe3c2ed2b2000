import type { PlistValue } from './mobileconfig.js';

/**
 * A strict reader for the XML property-list subset mobileconfig.ts writes (plist, dict, array, key, string, integer,
 * true, false): every element must close in order, text may hold only XML's five predefined entities, keys are unique
 * and nothing may follow the root. `renderMobileconfig` reads its own output back with it, so a profile that is not
 * well-formed, or does not say what was meant, is never handed out.
 */
export function parsePlist(xml: string): PlistValue {
  const prologue =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';
  if (!xml.startsWith(prologue)) throw new Error('missing XML declaration or plist DOCTYPE');
  const tokens: { tag?: string; close?: boolean; empty?: boolean; attrs?: string; text?: string }[] = [];
  const re = /<(\/?)([A-Za-z]+)((?:\s+[a-z]+="[^"<&]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of xml.slice(prologue.length).matchAll(re)) {
    if (m[6] !== undefined) throw new Error(`stray "<" at ${m.index}`);
    if (m[5] !== undefined) {
      if (m[5].trim() !== '') tokens.push({ text: m[5] });
      continue;
    }
    tokens.push({ tag: m[2] as string, close: m[1] === '/', empty: m[4] === '/', attrs: (m[3] ?? '').trim() });
  }
  let i = 0;
  const next = () => {
    const t = tokens[i++];
    if (!t) throw new Error('unexpected end of document');
    return t;
  };
  const text = (tag: string): string => {
    let t = next();
    let s = '';
    if (t.text !== undefined) {
      s = t.text;
      t = next();
    }
    if (t.tag !== tag || !t.close) throw new Error(`<${tag}> is not closed`);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`bad entity in "${s}"`);
    return s.replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string,
    );
  };
  const value = (): PlistValue => {
    const t = next();
    if (t.close || t.tag === undefined) throw new Error(`expected a value, got ${JSON.stringify(t)}`);
    if (t.tag === 'true' || t.tag === 'false') {
      if (!t.empty) throw new Error(`<${t.tag}/> must be empty`);
      return t.tag === 'true';
    }
    if (t.empty) {
      if (t.tag === 'string') return '';
      throw new Error(`<${t.tag}/> cannot be empty`);
    }
    if (t.tag === 'string') return text('string');
    if (t.tag === 'integer') {
      const n = text('integer');
      if (!/^-?\d+$/.test(n)) throw new Error(`bad integer ${n}`);
      return Number(n);
    }
    if (t.tag === 'array') {
      const out: PlistValue[] = [];
      while (!(tokens[i]?.tag === 'array' && tokens[i]?.close)) out.push(value());
      i++;
      return out;
    }
    if (t.tag === 'dict') {
      const out: Record<string, PlistValue> = {};
      while (!(tokens[i]?.tag === 'dict' && tokens[i]?.close)) {
        const k = next();
        if (k.tag !== 'key' || k.close || k.empty) throw new Error('a dict holds <key> then a value');
        const key = text('key');
        if (key in out) throw new Error(`duplicate key ${key}`);
        out[key] = value();
      }
      i++;
      return out;
    }
    throw new Error(`unknown element <${t.tag}>`);
  };
  const open = next();
  if (open.tag !== 'plist' || open.attrs !== 'version="1.0"') throw new Error('root must be <plist version="1.0">');
  const root = value();
  const close = next();
  if (close.tag !== 'plist' || !close.close || i !== tokens.length) throw new Error('content after the root value');
  return root;
}
