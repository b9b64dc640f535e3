// The helpers of the JavaScript predicates that `Query::to_js` emits (`JS_RUNTIME`).
// Evaluate this text once as an expression: it gives a frozen object, passed to every
// predicate factory. Plain ES2022; no I/O, no globals written.
//
// Call `pristine()` before using predicates (once per batch): when Object.prototype has
// gained properties, inherited values would be read, so use the JSON path instead.
//
// A predicate judges a user the way `Query::matches` judges `JSON.parse(JSON.stringify(user))`.
// When it reaches a value whose JSON form it cannot know in place (a BigInt, an object that is
// not plain or has `toJSON`, a string with a lone surrogate, nesting deeper than `DEPTH`), it
// throws `U` ("undecided"); the caller then takes the JSON path for that user.
(function () {
  'use strict'
  const OP = Object.prototype
  const AP = Array.prototype
  const getProto = Object.getPrototypeOf
  const isEnum = OP.propertyIsEnumerable
  const isArray = Array.isArray
  const keys = Object.keys
  const wellFormed = String.prototype.isWellFormed
  const U = Object.freeze({ undecided: true })
  // serde_json refuses more than 128 levels; stay well below and let the JSON path decide.
  const DEPTH = 100

  function undecided() {
    throw U
  }
  /** `o` (a non-null, non-array object) is written by JSON.stringify as its own keys. */
  function obj(o) {
    const p = getProto(o)
    if ((p !== OP && p !== null) || typeof o.toJSON === 'function') throw U
  }
  /** `a` (an array) is written by JSON.stringify item by item. */
  function arr(a, d) {
    if (d > DEPTH || getProto(a) !== AP || typeof a.toJSON === 'function') throw U
  }
  // Predicates read keys with `o[k]`: right for plain objects as long as Object.prototype
  // holds only its standard properties (the keys it has are read as own properties only).
  const STANDARD = [
    'constructor', '__defineGetter__', '__defineSetter__', 'hasOwnProperty', '__lookupGetter__',
    '__lookupSetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf',
    '__proto__', 'toLocaleString',
  ]
  const ownNames = Object.getOwnPropertyNames
  const standard = new Set(STANDARD)
  /** Object.prototype has only its standard properties (nothing added): predicates apply. */
  function pristine() {
    const names = ownNames(OP)
    if (names.length !== STANDARD.length) return false
    for (let i = 0; i < names.length; i++) if (!standard.has(names[i])) return false
    return true
  }
  /** An own enumerable value JSON.stringify drops (the key is absent). */
  function dropped(v) {
    const t = typeof v
    return v === undefined || t === 'function' || t === 'symbol'
  }
  /** A string as JSON carries it (a lone surrogate is undecided). */
  function s(v) {
    if (wellFormed !== undefined ? !wellFormed.call(v) : /\p{Cs}/u.test(v)) throw U
    return v
  }
  /** A test on something that is not a string: false, or undecided when JSON would change it. */
  function other(v) {
    if (typeof v === 'object') {
      if (v !== null) obj(v)
    } else if (typeof v === 'bigint') {
      throw U
    }
    return false
  }
  /** JSON null (undefined, functions and symbols in arrays, NaN and infinities). */
  function isNull(v) {
    const t = typeof v
    return v === null || v === undefined || t === 'function' || t === 'symbol' || (t === 'number' && !Number.isFinite(v))
  }
  /** `_exists_`: not null and not `{}` (arrays never reach a test). */
  function exists(v) {
    switch (typeof v) {
      case 'string':
        s(v)
        return true
      case 'boolean':
        return true
      case 'number':
        return Number.isFinite(v)
      case 'bigint':
        throw U
      case 'object': {
        if (v === null) return false
        obj(v)
        // for-in: own enumerable keys here (plain object, Object.prototype pristine).
        for (const k in v) {
          const c = v[k]
          if (typeof c === 'bigint') throw U
          if (!dropped(c)) return true
        }
        return false
      }
      default:
        return false
    }
  }
  /** `v.toLowerCase().startsWith(p)` for a lowercased `p`, without lowercasing an ASCII head. */
  function ciPrefix(v, p) {
    const n = p.length
    if (v.length < n) return v.toLowerCase().startsWith(p)
    for (let i = 0; i < n; i++) {
      let c = v.charCodeAt(i)
      if (c >= 128 || p.charCodeAt(i) >= 128) return v.toLowerCase().startsWith(p)
      if (c >= 65 && c <= 90) c += 32
      if (c !== p.charCodeAt(i)) return false
    }
    return true
  }
  /**
   * Throws `U` unless JSON.stringify would write `v` as it is (plain objects and arrays,
   * finite or non-finite numbers, well-formed strings; no BigInt, no toJSON, depth <= DEPTH).
   * A whole-user check, for callers that must raise the JSON path's errors exactly.
   */
  function clean(v, d) {
    switch (typeof v) {
      case 'string':
        s(v)
        return
      case 'bigint':
        throw U
      case 'object':
        if (v === null) return
        if (isArray(v)) {
          arr(v, d)
          for (let i = 0; i < v.length; i++) clean(v[i], d + 1)
          return
        }
        if (d > DEPTH) throw U
        obj(v)
        for (const k in v) clean(v[k], d + 1)
    }
  }
  /** Code-point order of two strings (Rust's `str` order), as -1, 0 or 1. */
  function cmp(a, b) {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
      let x = a.charCodeAt(i)
      let y = b.charCodeAt(i)
      if (x !== y) {
        // UTF-16 puts U+E000..U+FFFF above the surrogates; code points put them below.
        if (x >= 0xd800 && y >= 0xd800) {
          x = x >= 0xe000 ? x - 0x800 : x + 0x2000
          y = y >= 0xe000 ? y - 0x800 : y + 0x2000
        }
        return x < y ? -1 : 1
      }
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
  }
  /** Levenshtein distance of the code points `a` (an array) and `b` (a string) is <= `max`. */
  function fuzzy(a, b, max) {
    const bs = Array.from(b)
    if (Math.abs(a.length - bs.length) > max) return false
    let prev = new Array(bs.length + 1)
    let cur = new Array(bs.length + 1)
    for (let j = 0; j <= bs.length; j++) prev[j] = j
    for (let i = 0; i < a.length; i++) {
      cur[0] = i + 1
      let rowMin = cur[0]
      for (let j = 0; j < bs.length; j++) {
        const cost = a[i] === bs[j] ? 0 : 1
        cur[j + 1] = Math.min(prev[j] + cost, prev[j + 1] + 1, cur[j] + 1)
        if (cur[j + 1] < rowMin) rowMin = cur[j + 1]
      }
      if (rowMin > max) return false
      const t = prev
      prev = cur
      cur = t
    }
    return prev[bs.length] <= max
  }
  function daysFromCivil(y, m, d) {
    y = m <= 2 ? y - 1 : y
    const era = Math.floor(y / 400)
    const yoe = y - era * 400
    const mp = (m + 9) % 12
    const doy = Math.trunc((153 * mp + 2) / 5) + d - 1
    const doe = yoe * 365 + Math.trunc(yoe / 4) - Math.trunc(yoe / 100) + doy
    return era * 146097 + doe - 719468
  }
  function daysInMonth(y, m) {
    if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28
    return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31
  }
  /** The start (ms since the epoch) of the ISO-8601 period `t` names, or null (`parse_date`). */
  function dateStart(t) {
    const digits = (from, n) => {
      if (from + n > t.length) return -1
      let acc = 0
      for (let k = from; k < from + n; k++) {
        const c = t.charCodeAt(k)
        if (c < 48 || c > 57) return -1
        acc = acc * 10 + (c - 48)
      }
      return acc
    }
    const at = (i) => (i < t.length ? t.charCodeAt(i) : -1)
    const isDigit = (c) => c >= 48 && c <= 57
    const year = digits(0, 4)
    if (year < 0) return null
    let month = 1
    let day = 1
    let hour = 0
    let min = 0
    let sec = 0
    let ms = 0
    let i = 4
    let timed = false
    if (at(i) === 45) {
      month = digits(i + 1, 2)
      if (month < 0) return null
      i += 3
      if (at(i) === 45) {
        day = digits(i + 1, 2)
        if (day < 0) return null
        i += 3
        const c = at(i)
        if ((c === 84 || c === 116 || c === 32) && isDigit(at(i + 1))) {
          hour = digits(i + 1, 2)
          if (hour < 0) return null
          i += 3
          timed = true
          if (at(i) === 58) {
            min = digits(i + 1, 2)
            if (min < 0) return null
            i += 3
            if (at(i) === 58) {
              sec = digits(i + 1, 2)
              if (sec < 0) return null
              i += 3
              if (at(i) === 46 || at(i) === 44) {
                const start = i + 1
                let j = start
                while (isDigit(at(j))) j++
                if (j === start) return null
                const n = Math.min(j - start, 3)
                ms = digits(start, n) * 10 ** (3 - n)
                i = j
              }
            }
          }
        }
      }
    }
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 60) {
      return null
    }
    let offset = 0
    const c = at(i)
    if (c === -1) {
      // no zone: UTC
    } else if ((c === 90 || c === 122) && i + 1 === t.length && timed) {
      // Z
    } else if ((c === 43 || c === 45) && timed) {
      const oh = digits(i + 1, 2)
      if (oh < 0) return null
      let om = 0
      const c3 = at(i + 3)
      if (c3 === 58) {
        om = digits(i + 4, 2)
        if (om < 0 || t.length !== i + 6) return null
      } else if (c3 !== -1) {
        om = digits(i + 3, 2)
        if (om < 0 || t.length !== i + 5) return null
      }
      const off = (oh * 60 + om) * 60000
      offset = c === 43 ? off : -off
    } else {
      return null
    }
    return daysFromCivil(year, month, day) * 86400000 + hour * 3600000 + min * 60000 + sec * 1000 + ms - offset
  }
  // A range end: null (open) or { text, num (number or null), start, stop (null: not a date), inc }.
  function numOk(e, x, lower) {
    if (e === null) return true
    if (e.num === null) return false
    return x === e.num ? e.inc : lower ? x > e.num : x < e.num
  }
  function textOk(e, v, lower) {
    if (e === null) return true
    const o = cmp(v, e.text)
    return o === 0 ? e.inc : lower ? o > 0 : o < 0
  }
  function dateOk(e, t, lower) {
    if (e === null) return true
    if (e.start === null) return false
    if (lower) return e.inc ? t >= e.start : t >= e.stop
    return e.inc ? t < e.stop : t < e.start
  }
  /** `in_range`: `dated` when both ends are open or dates, and not both open. */
  function range(v, lo, hi, dated) {
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) && numOk(lo, v, true) && numOk(hi, v, false)
      case 'string': {
        s(v)
        if (dated) {
          const t = dateStart(v)
          if (t !== null) return dateOk(lo, t, true) && dateOk(hi, t, false)
        }
        return textOk(lo, v, true) && textOk(hi, v, false)
      }
      default:
        return other(v)
    }
  }
  /** The code points of `t`, for `fuzzy`. */
  function cps(t) {
    return Array.from(t)
  }
  return Object.freeze({
    U, DEPTH, OP, getProto, undecided, obj, arr, isEnum, pristine, dropped, s, other, isNull, exists, cmp, fuzzy,
    dateStart, range, cps, ciPrefix, clean, isArray, keys,
  })
})()
