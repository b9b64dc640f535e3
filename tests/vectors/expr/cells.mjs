// The cell rules of docs/expressions.md ("Cell values") in JavaScript: what a column's
// value becomes as CSV text and as a JSON value. Shared by generate.mjs (the corpus) and
// the Node binding's tests that compare userio with V8.

// A cell is UTF-8 text: half of a character (a lone UTF-16 surrogate) in a string of the
// value becomes U+FFFD, as userio writes it.
const wellFormed = (v) => {
  if (typeof v === 'string') return v.toWellFormed();
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toWellFormed(), wellFormed(x)]));
};

/** The cell of a column's value: `{text, json}`, or `{error: 'TypeError'}` for values with none. */
export const cellOf = (result) => {
  if (typeof result === 'function' || typeof result === 'symbol' || typeof result === 'bigint') {
    return { error: 'TypeError' };
  }
  const s = result !== null && typeof result === 'object' ? JSON.stringify(result) : undefined;
  const v = typeof result === 'string' ? result.toWellFormed() : s === undefined ? result : wellFormed(JSON.parse(s));
  let text;
  if (v === null || v === undefined) text = '';
  else if (typeof v === 'object') text = JSON.stringify(v) ?? '';
  else text = String(v);
  let json;
  if (v === undefined) json = null;
  else {
    const s = JSON.stringify(v);
    json = s === undefined ? null : JSON.parse(s);
  }
  return { text, json };
};
