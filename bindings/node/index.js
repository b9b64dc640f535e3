// The public API of the `userio` package: a thin façade over the native module (native.js,
// built from src/ with napi-rs). It does three things only:
// - turns JavaScript values into JSON text with JSON.stringify semantics (undefined
//   properties dropped, Date -> ISO string, safe BigInt -> number),
// - calls the native functions (which call userio-core),
// - turns the error data they return into UserioError subclasses, and handles the
//   JavaScript-only shapes (async iterables as sources, writable streams as targets).
'use strict'

const native = require('./native.js')

/** Base class of every error userio throws; `code` is a stable snake_case code. */
class UserioError extends Error {
  constructor(message, code, props) {
    super(message)
    this.name = new.target.name
    this.code = code
    if (props) Object.assign(this, props)
  }
}
/** A query did not parse. `offset` is in UTF-16 units (a JS string index) into `query`. */
class QueryError extends UserioError {}
/** An export column's source did not compile. `offset` is in UTF-16 units into `source`. */
class ExpressionError extends UserioError {}
/** The input could not be opened, read or parsed. `offset` is in bytes into the input. */
class ReadError extends UserioError {}
/** The output could not be written. */
class WriteError extends UserioError {}
/** An option has a wrong type or value. */
class OptionsError extends UserioError {}
/** A column expression failed for one user (`Column.eval`, or an export with `onError: 'abort'`). */
class CellError extends UserioError {}
/** A Management API call failed (`unauthorized`, `missing_scope`, `rate_limited`, ...). */
class Auth0Error extends UserioError {}
/** A JavaScript value has no JSON form (circular structure, BigInt beyond 2^53 - 1). */
class ConversionError extends UserioError {}

const CLASSES = {
  query: QueryError,
  expression: ExpressionError,
  read: ReadError,
  write: WriteError,
  options: OptionsError,
  cell: CellError,
  auth0: Auth0Error,
}

function isNativeError(r) {
  return r !== null && typeof r === 'object' && typeof r.kind === 'string' && 'code' in r
}

function fromNative(e, extra) {
  const Class = CLASSES[e.kind] || UserioError
  const props = {}
  for (const key of ['index', 'line', 'column', 'offset', 'columnName', 'source', 'expected', 'found', 'excerpt', 'header']) {
    if (e[key] !== undefined && e[key] !== null) props[key] = e[key]
  }
  return new Class(e.message, e.code, Object.assign(props, extra))
}

function bigintReplacer(key, value) {
  if (typeof value !== 'bigint') return value
  if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
    return Number(value)
  }
  throw new ConversionError(
    `the BigInt ${value}${key ? ` at "${key}"` : ''} is outside the safe integer range ` +
      '(±2^53-1) and has no exact JSON number: convert it to a string first',
    'bigint_unsafe',
  )
}

/** JSON text for `value`, as JSON.stringify, with safe BigInts as numbers. */
function toJson(value) {
  try {
    return JSON.stringify(value)
  } catch (e) {
    if (e instanceof TypeError && /BigInt/i.test(e.message)) {
      return JSON.stringify(value, bigintReplacer)
    }
    if (e instanceof UserioError) throw e
    throw new ConversionError(`the value has no JSON form: ${e.message}`, 'value_unconvertible')
  }
}

function optionalInt(value, name) {
  if (value === undefined || value === null) return undefined
  if (!Number.isInteger(value) || value < 0) {
    throw new OptionsError(`${name} must be a non-negative integer, not ${value}`, 'invalid_option')
  }
  return value
}

function optionalBool(value, name) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') {
    throw new OptionsError(`${name} must be a boolean, not ${typeof value}`, 'invalid_option')
  }
  return value
}

function optionalString(value, name) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    throw new OptionsError(`${name} must be a string, not ${typeof value}`, 'invalid_option')
  }
  return value
}

function optionsObject(opts, what) {
  if (opts === undefined || opts === null) return {}
  if (typeof opts !== 'object') throw new OptionsError(`${what} options must be an object`, 'invalid_option')
  return opts
}

// Query matching runs in V8: the core compiles each query to a JavaScript predicate
// (`NativeQuery.toJs`, helpers in `queryJsRuntime`), which reads only the fields the query
// names, in place. It gives what the core gives on the user's JSON form; a user it cannot
// judge in place (BigInt, Date or other non-plain object, toJSON, lone surrogate, deep
// nesting), or any exception while reading it, goes through JSON text and the core instead.
// `matches` first checks the whole user (so it raises exactly what the JSON path raises);
// `filter` reads only what the query names, so a value without a JSON form in a field the
// query does not read (a cycle, an unsafe BigInt) is not an error there.
let queryRuntime // undefined: not evaluated yet; null: unavailable (code generation refused)
function predicateRuntime() {
  if (queryRuntime === undefined) {
    try {
      queryRuntime = new Function(`return (\n${native.queryJsRuntime()}\n)`)()
    } catch {
      queryRuntime = null
    }
  }
  return queryRuntime
}

// Not public: the two paths, for the differential tests.
const JSON_PATH = Symbol.for('userio.query.matchesJson')
const PREDICATE = Symbol.for('userio.query.predicate')
const NATIVE_QUERY = Symbol('userio.query.native')

class Query {
  #native
  #predicate // undefined: not built yet; null: none (regex query, or no code generation)
  /**
   * Parses a Lucene query; throws QueryError when it does not parse.
   * `opts.defaultOperator`: 'or' (default) or 'and'; `opts.auth0Check`: list what Auth0's
   * search would refuse in `auth0Issues()`.
   */
  constructor(text, opts) {
    if (typeof text !== 'string') {
      throw new OptionsError(`a query is a string, not ${typeof text}`, 'invalid_option')
    }
    opts = optionsObject(opts, 'query')
    const r = native.parseQuery(text, {
      defaultOperator: optionalString(opts.defaultOperator, 'defaultOperator'),
      auth0Check: optionalBool(opts.auth0Check, 'auth0Check'),
    })
    if (isNativeError(r)) throw fromNative(r, { query: text })
    this.#native = r
  }
  /** The compiled predicate, built on first use; null when the query has none. @internal */
  [PREDICATE]() {
    if (this.#predicate === undefined) {
      this.#predicate = null
      const rt = predicateRuntime()
      const src = rt === null ? null : this.#native.toJs()
      if (src) {
        try {
          this.#predicate = new Function(`return (\n${src}\n)`)()(rt)
        } catch {
          this.#predicate = null
        }
      }
    }
    return this.#predicate
  }
  /** The JSON path: JSON.stringify, then the core. @internal */
  [JSON_PATH](user) {
    return this.#native.matchesJson(toJson(user) ?? 'null')
  }
  /** True when `user` (a plain object) matches. */
  matches(user) {
    const p = this[PREDICATE]()
    if (p !== null && queryRuntime.pristine()) {
      try {
        // One user: check all of it first, so a value without a JSON form anywhere raises
        // what the JSON path raises (filter skips this; it reads only the fields it needs).
        queryRuntime.clean(user, 0)
        return p(user)
      } catch {
        // undecided in place: the JSON path judges (or throws what it throws)
      }
    }
    return this[JSON_PATH](user)
  }
  /** The users of `users` that match, in order (the same objects, not copies). */
  filter(users) {
    if (!Array.isArray(users)) {
      throw new OptionsError('Query.filter takes an array of users', 'invalid_option')
    }
    const p = this[PREDICATE]()
    if (
      p === null ||
      !queryRuntime.pristine() ||
      Object.getPrototypeOf(users) !== Array.prototype ||
      typeof users.toJSON === 'function'
    ) {
      const hits = this.#native.filterJson(toJson(users))
      const out = new Array(hits.length)
      for (let i = 0; i < hits.length; i++) out[i] = users[hits[i]]
      return out
    }
    const out = []
    for (let i = 0; i < users.length; i++) {
      const u = users[i]
      let hit
      try {
        hit = p(u)
      } catch {
        hit = this[JSON_PATH](u)
      }
      if (hit) out.push(u)
    }
    return out
  }
  /** The native query, for UserIndex. @internal */
  [NATIVE_QUERY]() {
    return this.#native
  }
  /** What Auth0's user search would refuse or treat differently (with `auth0Check`). */
  auth0Issues() {
    return this.#native.auth0Issues()
  }
  /** The canonical query text; it parses back to the same query. */
  toString() {
    return this.#native.canonical()
  }
}

/** The users' JSON text for the native index, after checking they are an array. */
function indexText(users) {
  if (!Array.isArray(users)) {
    throw new OptionsError('UserIndex takes an array of users', 'invalid_option')
  }
  return Buffer.from(toJson(users), 'utf8')
}

/** A native index built by `UserIndex.build`, handed to the constructor. Not exported. */
class Built {
  constructor(native) {
    this.native = native
  }
}

function asQuery(query) {
  if (query instanceof Query) return query
  if (typeof query === 'string') return new Query(query)
  throw new OptionsError(`a query is a string or a Query, not ${typeof query}`, 'invalid_option')
}

/**
 * Users held by attribute path, for many queries over one array (userio_core's UserIndex).
 * Built once from the users' JSON form (a snapshot: later changes to the objects are not
 * seen); then each query scans only the paths it names. Answers are those of
 * `Query.matches` on the users as they were when indexed.
 */
class UserIndex {
  #native
  #users
  /** Indexes `users` (an array of plain objects), in order, on the calling thread. */
  constructor(users, built) {
    const r = built instanceof Built ? built.native : native.indexUsers(indexText(users))
    if (isNativeError(r)) throw fromNative(r)
    this.#native = r
    this.#users = users.slice()
  }
  /**
   * `new UserIndex(users)` with the indexing on the libuv thread pool, so the event loop
   * stays free meanwhile (only `JSON.stringify` of the users runs on the calling thread).
   */
  static async build(users) {
    const r = await native.indexUsersAsync(indexText(users))
    return new UserIndex(users, new Built(r))
  }
  /** The number of users indexed. */
  get length() {
    return this.#native.length
  }
  /** The positions (0-based, ascending) of the users that match `query` (text or a Query). */
  positions(query) {
    return this.#native.search(asQuery(query)[NATIVE_QUERY]())
  }
  /** How many users match `query`. */
  count(query) {
    return this.#native.count(asQuery(query)[NATIVE_QUERY]())
  }
  /** The users that match `query`, in order (the objects given, not copies). */
  filter(query) {
    const hits = this.positions(query)
    const out = new Array(hits.length)
    for (let i = 0; i < hits.length; i++) out[i] = this.#users[hits[i]]
    return out
  }
}

/** `{ tier, onError, marker }` for the native layer from a column's options. */
function columnOptions(opts) {
  opts = optionsObject(opts, 'column')
  const out = { tier: optionalString(opts.tier, 'tier') }
  for (const name of ['timeLimitMs', 'loopLimit']) {
    const v = optionalInt(opts[name], name)
    if (v !== undefined) out[name] = v
  }
  const onError = opts.onError
  if (onError === undefined || onError === null) return out
  if (onError === 'empty' || onError === 'abort') out.onError = onError
  else if (typeof onError === 'object' && typeof onError.marker === 'string') {
    out.onError = 'marker'
    out.marker = onError.marker
  } else {
    throw new OptionsError('onError must be "empty", "abort" or { marker: string }', 'invalid_option')
  }
  return out
}

class Column {
  #native
  #options
  /**
   * An export column; throws ExpressionError when `source` does not compile.
   * `opts.tier` forces a tier ('path', 'native', 'js'); `opts.onError` says what an export
   * writes for a failed cell: 'empty' (default), { marker: text }, or 'abort'.
   * `opts.timeLimitMs` (500) and `opts.loopLimit` (1,000,000 per function call) bound a
   * JavaScript column's work for one user.
   */
  constructor(name, source, opts) {
    if (typeof name !== 'string' || typeof source !== 'string') {
      throw new OptionsError('a column is new Column(name: string, source: string, opts?)', 'invalid_option')
    }
    const o = columnOptions(opts)
    const r = native.compileColumn(name, source, o)
    if (isNativeError(r)) throw fromNative(r)
    this.#native = r
    this.#options = o
    const d = r.describe()
    this.name = d.name
    this.source = d.source
    this.tier = d.tier
    Object.freeze(this)
  }
  /**
   * The cell for one user: `{ text, value }` (the CSV text and the JSON value, `null` for
   * undefined). Throws CellError when the expression fails (`message` starts with the
   * JavaScript error name, e.g. `TypeError: ...`).
   */
  eval(user) {
    const cell = this.#native.evalJson(toJson(user) ?? 'null')
    if (cell.error !== undefined && cell.error !== null) {
      throw new CellError(cell.error, 'cell_error', { columnName: this.name })
    }
    return { text: cell.text, value: JSON.parse(cell.json) }
  }
  /** The spec handed to the native export. @internal */
  static spec(c) {
    const base = { name: c.name, source: c.source }
    if (c instanceof Column) return Object.assign(base, c.#options)
    return Object.assign(base, columnOptions(c))
  }
}

/** The extension's default columns, in its order and with its names. */
function defaultColumns() {
  return native.defaultColumns().map((c) => new Column(c.name, c.source))
}

function normalizeIssue(i) {
  return {
    index: i.index ?? null,
    pointer: i.pointer,
    code: i.code,
    message: i.message,
    value: i.value ?? null,
    line: i.line,
    column: i.column,
    offset: i.offset,
    severity: i.severity,
  }
}

/** Validates a users file (path) or the bytes of one (Buffer / Uint8Array). */
function validate(pathOrBuffer, opts) {
  opts = optionsObject(opts, 'validate')
  const nativeOpts = {
    maxErrors: optionalInt(opts.maxErrors, 'maxErrors'),
    maxFileBytes: optionalInt(opts.maxFileBytes, 'maxFileBytes'),
    maxRecordBytes: optionalInt(opts.maxRecordBytes, 'maxRecordBytes'),
  }
  let r
  if (typeof pathOrBuffer === 'string') {
    r = native.validatePath(pathOrBuffer, nativeOpts)
    if (isNativeError(r)) throw fromNative(r, { path: pathOrBuffer })
  } else if (pathOrBuffer instanceof Uint8Array) {
    const buf = Buffer.isBuffer(pathOrBuffer)
      ? pathOrBuffer
      : Buffer.from(pathOrBuffer.buffer, pathOrBuffer.byteOffset, pathOrBuffer.byteLength)
    r = native.validateBuffer(buf, nativeOpts)
  } else {
    throw new OptionsError('validate takes a file path or a Buffer / Uint8Array', 'invalid_option')
  }
  return {
    users: r.users,
    valid: r.valid,
    errors: r.errors.map(normalizeIssue),
    warnings: r.warnings.map(normalizeIssue),
    truncated: r.truncated,
    ok: r.ok,
  }
}

function isStream(x) {
  return x !== null && typeof x === 'object' && typeof x.write === 'function'
}

function exportOptions(opts) {
  if (opts === null || typeof opts !== 'object') {
    throw new OptionsError('export options must be an object', 'invalid_option')
  }
  const as = opts.as ?? 'string'
  if (!['string', 'array', 'buffer'].includes(as)) {
    throw new OptionsError(`as must be "string", "array" or "buffer", not ${as}`, 'invalid_option')
  }
  let format = opts.format
  if (as === 'array') {
    if (format !== undefined && format !== 'json') {
      throw new OptionsError('as: "array" needs format "json" (or no format)', 'invalid_option')
    }
    format = 'json'
  }
  const nativeOpts = {
    format,
    limit: optionalInt(opts.limit, 'limit'),
    memoryBudget: optionalInt(opts.memoryBudget, 'memoryBudget'),
    delimiter: optionalString(opts.delimiter, 'delimiter'),
    crlf: optionalBool(opts.crlf, 'crlf'),
    bom: optionalBool(opts.bom, 'bom'),
    formulaEscape: optionalBool(opts.formulaEscape, 'formulaEscape'),
  }
  if (opts.columns !== undefined) {
    if (!Array.isArray(opts.columns)) {
      throw new OptionsError('columns must be an array of Column or {name, source}', 'invalid_option')
    }
    nativeOpts.columns = opts.columns.map((c) => {
      if (!c || typeof c.name !== 'string' || typeof c.source !== 'string') {
        throw new OptionsError('each column needs a string name and source', 'invalid_option')
      }
      return Column.spec(c)
    })
  }
  if (opts.query !== undefined) {
    if (opts.query instanceof Query) nativeOpts.query = opts.query.toString()
    else if (typeof opts.query === 'string') nativeOpts.query = opts.query
    else throw new OptionsError('query must be a string or a Query', 'invalid_option')
  }
  if (opts.sortBy !== undefined) {
    if (typeof opts.sortBy !== 'string') {
      throw new OptionsError('sortBy must be an attribute path string', 'invalid_option')
    }
    nativeOpts.sortBy = opts.sortBy
    nativeOpts.descending = Boolean(opts.descending)
    nativeOpts.caseInsensitive = optionalBool(opts.caseInsensitive, 'caseInsensitive')
  }
  const output = opts.output
  if (typeof output === 'string') nativeOpts.outputPath = output
  else if (output !== undefined && !isStream(output)) {
    throw new OptionsError('output must be a file path or a writable stream', 'invalid_option')
  }
  return { nativeOpts, output, as }
}

function syncSource(source) {
  if (typeof source === 'string') return { path: source }
  if (Array.isArray(source)) return { json: toJson(source) }
  if (source instanceof Uint8Array) {
    return { bytes: Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength) }
  }
  return null
}

function result(outcome, as) {
  if (outcome.error) throw fromNative(outcome.error)
  const out = {
    read: outcome.read,
    matched: outcome.matched,
    written: outcome.written,
    cellErrors: outcome.cellErrors,
    firstCellErrors: outcome.firstCellErrors,
    sortRuns: outcome.sortRuns,
  }
  if (outcome.output) {
    if (as === 'array') out.rows = JSON.parse(outcome.output.toString('utf8'))
    else if (as === 'buffer') out.output = outcome.output
    else out.output = outcome.output.toString('utf8')
  }
  return out
}

function writeTo(stream, buf) {
  return new Promise((resolve, reject) => {
    stream.write(buf, (err) => (err ? reject(new WriteError(`cannot write the output: ${err.message}`, 'write_failed')) : resolve()))
  })
}

/**
 * Exports users off the main thread. `source`: a file path, an array of users, or an
 * (async) iterable of users. Resolves with the counts and, without `output`, the output.
 */
async function exportUsers(source, opts = {}) {
  const { nativeOpts, output, as } = exportOptions(opts)
  let src = syncSource(source)
  if (!src) {
    if (source && typeof source[Symbol.asyncIterator] === 'function') {
      const parts = []
      for await (const user of source) parts.push(toJson(user) ?? 'null')
      src = { json: `[${parts.join(',')}]` }
    } else if (source && typeof source[Symbol.iterator] === 'function') {
      src = { json: toJson(Array.from(source)) }
    } else {
      throw new OptionsError('source must be a path, an array or an (async) iterable of users', 'invalid_option')
    }
  }
  const outcome = await native.exportAsync(src, nativeOpts)
  if (isStream(output)) {
    if (outcome.error) throw fromNative(outcome.error)
    await writeTo(output, outcome.output ?? Buffer.alloc(0))
    return result({ ...outcome, output: undefined }, as)
  }
  return result(outcome, as)
}

/** Exports users on the calling thread. `source`: a file path or an array of users. */
function exportSync(source, opts = {}) {
  const { nativeOpts, output, as } = exportOptions(opts)
  if (isStream(output)) {
    throw new OptionsError('exportSync writes to a path or returns the output; use export() for streams', 'invalid_option')
  }
  const src = syncSource(source)
  if (!src) {
    throw new OptionsError('exportSync takes a path or an array of users; use export() for iterables', 'invalid_option')
  }
  return result(native.exportSync(src, nativeOpts), as)
}

/** `snake_case` keys to `camelCase`, recursively (the core's serde reports). */
function camelKeys(v) {
  if (Array.isArray(v)) return v.map(camelKeys)
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const [k, x] of Object.entries(v)) out[k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())] = camelKeys(x)
  return out
}

function convertSource(source) {
  if (typeof source === 'string') return { path: source }
  if (source instanceof Uint8Array) {
    return { bytes: Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength) }
  }
  throw new OptionsError('the source is a file path or a Buffer / Uint8Array', 'invalid_option')
}

function convertOptions(opts) {
  opts = optionsObject(opts, 'convert')
  const as = opts.as ?? 'string'
  if (as !== 'string' && as !== 'buffer') {
    throw new OptionsError(`as must be "string" or "buffer", not ${as}`, 'invalid_option')
  }
  const nativeOpts = {
    outputPath: optionalString(opts.output, 'output'),
    validate: optionalBool(opts.validate, 'validate'),
    maxErrors: optionalInt(opts.maxErrors, 'maxErrors'),
    delimiter: optionalString(opts.delimiter, 'delimiter'),
    encoding: optionalString(opts.encoding, 'encoding'),
    listSeparator: optionalString(opts.listSeparator, 'listSeparator'),
    keepUserId: optionalBool(opts.keepUserId, 'keepUserId'),
  }
  return { nativeOpts, as }
}

async function runConvert(fn, source, opts) {
  const src = convertSource(source)
  const { nativeOpts, as } = convertOptions(opts)
  const outcome = await fn(src, nativeOpts)
  if (outcome.error) throw fromNative(outcome.error)
  const out = { report: camelKeys(JSON.parse(outcome.reportJson)) }
  if (outcome.output) out.output = as === 'buffer' ? outcome.output : outcome.output.toString('utf8')
  return out
}

/**
 * Converts a CSV whose header row names attribute paths into an Auth0 import file (a JSON
 * array), off the main thread. Resolves with `{ report, output? }`.
 */
function convertCsv(source, opts) {
  return runConvert(native.convertCsvAsync, source, opts)
}

/**
 * Converts users from an Auth0 export job or the users search (NDJSON or a JSON array,
 * gzip detected) into an import file, off the main thread. Resolves with `{ report, output? }`.
 */
function convertExport(source, opts) {
  return runConvert(native.convertExportAsync, source, opts)
}

/**
 * An Auth0 Management API client. Every method returns a Promise and runs on the libuv
 * thread pool (a napi async task), never blocking the event loop.
 */
class Auth0Client {
  #native
  /**
   * `config`: `{ domain, token }` or `{ domain, clientId, clientSecret }` (client
   * credentials; tokens are fetched and refreshed). `domain`: `tenant.eu.auth0.com` or a URL
   * (plain `http://` only on loopback). `fast: true` shrinks timeouts and polling for a
   * local mock tenant (tests).
   */
  constructor(config) {
    config = optionsObject(config, 'Auth0Client')
    if (typeof config.domain !== 'string') {
      throw new OptionsError('Auth0Client needs a domain string', 'invalid_option')
    }
    const r = native.auth0Client({
      domain: config.domain,
      token: optionalString(config.token, 'token'),
      clientId: optionalString(config.clientId, 'clientId'),
      clientSecret: optionalString(config.clientSecret, 'clientSecret'),
      fast: optionalBool(config.fast, 'fast'),
    })
    if (isNativeError(r)) throw fromNative(r)
    this.#native = r
  }

  static #json(outcome) {
    if (outcome.error) throw fromNative(outcome.error)
    return camelKeys(JSON.parse(outcome.json))
  }

  /** The tenant's database connections: `[{ id, name, strategy }]`. */
  async connections() {
    return Auth0Client.#json(await this.#native.connections())
  }

  /**
   * Imports a users file (path): validates it, splits it under Auth0's job size limit, runs
   * the jobs (two at a time) and maps per-user failures back to file lines. Resumable via
   * a journal. Resolves with the import report.
   */
  async importUsers(path, opts) {
    if (typeof path !== 'string') throw new OptionsError('importUsers takes a file path', 'invalid_option')
    opts = optionsObject(opts, 'importUsers')
    if (typeof opts.connection !== 'string') {
      throw new OptionsError('importUsers needs opts.connection (a database connection name)', 'invalid_option')
    }
    return Auth0Client.#json(
      await this.#native.importUsers(path, {
        connection: opts.connection,
        upsert: optionalBool(opts.upsert, 'upsert'),
        externalId: optionalString(opts.externalId, 'externalId'),
        sendCompletionEmail: optionalBool(opts.sendCompletionEmail, 'sendCompletionEmail'),
        maxChunkBytes: optionalInt(opts.maxChunkBytes, 'maxChunkBytes'),
        journal: optionalString(opts.journal, 'journal'),
        resume: optionalBool(opts.resume, 'resume'),
      }),
    )
  }

  /**
   * Exports the tenant's users through the exporter (the options of `export()`; `output`
   * must be a path here, or none). The search endpoint is used below 1,000 matches,
   * otherwise an export job, filtered and sorted locally (`opts.strategy` forces one;
   * `opts.connection` restricts to one connection). Resolves with the export's counts,
   * its output when no `output` path was given, and `strategy`.
   */
  async exportUsers(opts = {}) {
    const { nativeOpts, as } = exportOptions(opts)
    if (opts.output !== undefined && typeof opts.output !== 'string') {
      throw new OptionsError('Auth0Client.exportUsers writes to a path or returns the output', 'invalid_option')
    }
    const strategy = optionalString(opts.strategy, 'strategy')
    const outcome = await this.#native.exportUsers(
      { connection: optionalString(opts.connection, 'connection'), strategy },
      nativeOpts,
    )
    const r = Auth0Client.#json(outcome)
    const out = result(
      {
        read: r.read,
        matched: r.matched,
        written: r.written,
        cellErrors: r.cellErrors,
        firstCellErrors: [],
        sortRuns: r.sortRuns,
        output: outcome.output,
      },
      as,
    )
    out.strategy = r.strategy
    return out
  }
}

module.exports = {
  Auth0Client,
  Auth0Error,
  convertCsv,
  convertExport,
  validate,
  Query,
  UserIndex,
  Column,
  defaultColumns,
  export: exportUsers,
  exportSync,
  UserioError,
  QueryError,
  ExpressionError,
  ReadError,
  WriteError,
  OptionsError,
  CellError,
  ConversionError,
}
