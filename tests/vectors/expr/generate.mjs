// Regenerates corpus.json: evaluates every expression on every user with Node (V8) and
// records the expected cell. Run: node tests/vectors/expr/generate.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { cellOf } from './cells.mjs';

const users = [
  { id: 'full', user: {
    user_id: 'auth0|1', given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace',
    nickname: 'ada', email: 'ada@example.com', email_verified: true,
    picture: 'https://example.com/ada.png',
    identities: [{ provider: 'auth0', connection: 'Username-Password-Authentication', user_id: '1', isSocial: false }],
    created_at: '2020-01-02T03:04:05.000Z', updated_at: '2021-02-03T04:05:06.000Z',
    logins_count: 42,
    app_metadata: { plan: 'pro', roles: ['admin', 'dev'], score: 0.1, name: 'App Ada', count: 3 },
    user_metadata: { theme: 'dark', 'a-b': 'dash', nested: { deep: { x: 1 } }, lang: 'en' },
  } },
  { id: 'minimal', user: { user_id: 'auth0|2', email: 'x@y.z' } },
  { id: 'nulls', user: {
    user_id: 'auth0|3', given_name: null, family_name: null, name: '', nickname: null,
    email: null, email_verified: false, identities: [], logins_count: 0,
    app_metadata: null, user_metadata: {},
  } },
  { id: 'numbers', user: {
    user_id: 'auth0|4', name: 'Num', logins_count: 7, email_verified: true,
    app_metadata: { score: 1.5, large: 12345678901234567890, tiny: 1e-7, huge: 1e21, neg: -2.5,
      plan: 'free', roles: [], count: 100, ratio: 0.30000000000000004, list: [3, 1, 2] },
    user_metadata: { age: 30, height: 1.8 },
    identities: [{ provider: 'google-oauth2', connection: 'google-oauth2', user_id: '99', isSocial: true }],
  } },
  { id: 'unicode', user: {
    user_id: 'auth0|5', given_name: 'Ærøskøbing', family_name: '😀 Emoji', name: 'ΑΣ',
    nickname: 'straße', email: '  Padded@Example.COM  ', email_verified: true, logins_count: 11,
    identities: [
      { provider: 'github', connection: 'github', isSocial: true },
      { provider: 'twitter', connection: 'twitter', isSocial: true },
    ],
    app_metadata: { plan: 'Ünïcödé', roles: ['ädmin'], name: '名前' },
    user_metadata: { theme: 'ライト', 'a-b': 'ü-ö' },
  } },
  { id: 'stringy', user: {
    user_id: 'auth0|6', given_name: '', family_name: 'Smith', name: ' spaced  ', logins_count: '12',
    email: 'UPPER@EXAMPLE.COM', email_verified: 'false',
    app_metadata: { plan: '', roles: [], score: '0', count: '010', name: '' },
    user_metadata: { theme: '0', lang: '1e3' },
    identities: [{ provider: 'auth0', connection: 'db', isSocial: false }],
  } },
  { id: 'odd-types', user: {
    user_id: 'auth0|7', given_name: 123, family_name: true, name: ['a', 'b'], nickname: { x: 1 },
    email: 'odd@example.com', logins_count: null, identities: {},
    app_metadata: { roles: 'admin', plan: ['p1', 'p2'], score: true, count: null, name: 0 },
    user_metadata: { nested: null, 'a-b': 5 },
  } },
  { id: 'nested-nulls', user: {
    user_id: 'auth0|8', name: 'Nested', logins_count: 10.5, email: 'n@e.st',
    identities: [null, { provider: 'saml', connection: 'corp' }],
    app_metadata: { tags: [1, null, 'a', [2, 3], {}], roles: [null, 'x'], plan: null, score: -0.5 },
    user_metadata: { nested: { deep: null } },
  } },
];

// [source, tier] — tier is what userio picks: path, native or js.
const P = 'path', N = 'native', J = 'js';
const cases = [
  // Plain paths.
  ['user.user_id', P], ['user.given_name', P], ['user.family_name', P], ['user.nickname', P],
  ['user.name', P], ['user.email', P], ['user.email_verified', P], ['user.picture', P],
  ['user.identities[0].connection', P], ['user.created_at', P], ['user.updated_at', P],
  ['user.logins_count', P], ['user.app_metadata', P], ['user.app_metadata.plan', P],
  ['user.app_metadata.roles', P], ['user.app_metadata.roles[0]', P], ['user.app_metadata.roles[1]', P],
  ["user.user_metadata['a-b']", P], ['user.user_metadata["a-b"]', P],
  ['user.user_metadata.nested.deep.x', P], ['user.identities[0].provider', P],
  ['user.identities[1].provider', P], ['user.identities.length', P], ['user.name.length', P],
  ['user.email.length', P], ['user.app_metadata.score', P], ['user.app_metadata.large', P],
  ['user.app_metadata.tiny', P], ['user.app_metadata.huge', P], ['user.app_metadata.ratio', P],
  ['user.app_metadata.tags', P], ['user.app_metadata.list', P], ['user.user_metadata', P],
  ['user.identities', P], ['user.missing', P], ['user.missing.deeper', P], ['user.name[0]', P],
  ['user.app_metadata.roles.length', P], ['user.logins_count.length', P],
  ['email', P], ['app_metadata.plan', P], ["user_metadata['a-b']", P], ['identities[0].provider', P],
  ['name', P], ['user', P], ['user.identities[0]', P], ['user.user_metadata.nested', P],
  ['user.app_metadata.name', P], ['user.given_name.length', P], ['user.app_metadata.count', P],
  // The four expressions.
  ['user.app_metadata.name || user.name', N],
  ["user.given_name + ' ' + user.family_name", N],
  ["user.logins_count > 10 ? 'active' : 'idle'", N],
  ["(user.identities || []).map(i => i.provider).join('|')", N],
  // `.map(f).join(sep)` (joined as mapped when sep is a literal) and `+` building strings.
  ["(user.identities || []).map(i => i.missing).join('-')", N],
  ["(user.identities || []).map(i => [i.provider, i.connection]).join(';')", N],
  ["(user.identities || []).map(i => i.provider.x.y).join()", N],
  ["(user.identities || []).map(i => i.provider).join(user.name)", N],
  ["(user.identities || []).map(i => i.provider).join(1)", N],
  ["(user.identities || []).map((x, i) => i).join('')", N],
  ["user.app_metadata?.roles?.map(r => r.toUpperCase()).join('+')", N],
  ["user.identities.map(i => i.provider).join('|').length", N],
  ['user.given_name + user.family_name + user.logins_count', N],
  ["'(' + user.name + ')' + ' ' + user.email", N],
  ["user.logins_count + 1 + '!'", N],
  // Array methods on user arrays and on arrays the expression makes.
  ['user.app_metadata?.list?.slice(1, 2)', N], ['user.app_metadata?.list?.slice(-2, -1)', N],
  ["(user.app_metadata?.roles || []).slice(0, 1).join('+')", N],
  ["[user.given_name, user.family_name, user.nickname].slice(1)", N],
  ["user.app_metadata?.list?.includes(3, 1)", N], ["[1, 2, 3].includes(1, 1)", N],
  ['user.app_metadata?.list < user.app_metadata?.count', N],
  // Logical operators.
  ["user.app_metadata?.name || user.name", N], ["user.app_metadata?.plan || 'free'", N],
  ["user.app_metadata?.plan ?? 'free'", N], ['user.given_name || user.nickname || user.email', N],
  ['user.given_name && user.family_name', N], ['user.email_verified && user.email', N],
  ['user.logins_count || 0', N], ['user.logins_count ?? -1', N], ['user.missing ?? null', N],
  ['user.given_name ?? user.name', N], ['!user.email_verified', N], ['!!user.given_name', N],
  ['!user.missing', N], ['user.app_metadata?.score || 0', N], ['user.app_metadata?.score ?? 0', N],
  ['(user.app_metadata?.plan || user.user_metadata?.theme) ?? "none"', N],
  ['user.app_metadata && user.app_metadata.plan', N], ['user.missing || user.missing2', N],
  ['user.missing && user.missing.x', N], ['user.app_metadata?.roles || []', N],
  // Conditionals and comparisons.
  ["user.email_verified ? 'yes' : 'no'", N], ["user.logins_count >= 10 ? 'many' : 'few'", N],
  ["user.logins_count < 10", N], ["user.logins_count <= 7", N], ["user.logins_count > '9'", N],
  ["user.logins_count == '12'", N], ["user.logins_count === 12", N], ["user.logins_count != 0", N],
  ["user.logins_count !== 0", N], ['user.given_name == null', N], ['user.given_name === null', N],
  ['user.given_name === undefined', N], ['user.missing == undefined', N], ['user.missing === null', N],
  ["user.email_verified == 'false'", N], ['user.email_verified == true', N], ['user.email_verified == 1', N],
  ["user.app_metadata?.roles == 'admin'", N], ["user.app_metadata?.score == 0", N],
  ["user.app_metadata?.plan == 'pro'", N], ["user.name > 'M'", N], ["user.name < 'b'", N],
  ["user.given_name > user.family_name", N], ['user.logins_count > user.app_metadata?.count', N],
  ["user.app_metadata?.list < 4", N], ['null == 0', N], ['null >= 0', N], ['undefined == 0', N],
  ["'' == 0", N], ["'0' == false", N], ['NaN == NaN', N], ['[] == false', N], ["[1] == 1", N],
  ["'b' > 'a'", N], ["'B' > 'a'", N], ["'10' < '9'", N], ['10 < 9', N], ["'10' < 9", N],
  ['user.identities == user.identities', N], ['user.identities === user.identities', N],
  ['[] == []', N], ['user.app_metadata?.roles === user.app_metadata?.roles', N],
  ["user.logins_count > 5 && user.logins_count < 50 ? 'mid' : 'edge'", N],
  ["user.email_verified ? user.email : user.missing ? 'a' : 'b'", N],
  // Arithmetic and concatenation.
  ['user.logins_count + 1', N], ["user.logins_count + '1'", N], ['user.logins_count * 2', N],
  ['user.logins_count - 1', N], ['user.logins_count / 3', N], ['user.logins_count % 5', N],
  ['-user.logins_count', N], ['+user.logins_count', N], ['+user.email_verified', N],
  ['user.app_metadata?.score + 0.2', N], ['0.1 + 0.2', N], ['1e21', N], ['1e21 + 1', N],
  ['123456789 * 1000000000000', N], ['1 / 3', N], ['-0', N], ['0 * -1', N], ['1 / 0', N],
  ['-1 / 0', N], ['0 / 0', N], ["'5' * '2'", N], ["'5' - 2", N], ["'5' + 2", N], ['5 + 2 + "x"', N],
  ['"x" + 5 + 2', N], ['true + 1', N], ['null + 1', N], ['undefined + 1', N], ["'a' + null", N],
  ["'a' + undefined", N], ["'' + user.app_metadata", N], ["'' + user.identities", N],
  ["user.app_metadata?.roles + ''", N], ['user.app_metadata?.tags + ""', N], ["[1, 2] + [3]", N],
  ['user.given_name + user.family_name', N], ['user.given_name + 1', N],
  ['user.app_metadata?.large + 1', N], ['user.app_metadata?.tiny * 10', N], ['user.app_metadata?.huge * 10', N],
  ['0.000001', N], ['0.0000001', N], ['123e-20', N], ['2 ** 10', J], ['5 % -3', N], ['-5 % 3', N],
  ['1.005 * 1000', N], ['0x1f + 1', N], ["Number('0x10')", N], ["Number('  42  ')", N],
  ["Number('')", N], ["Number('12px')", N], ['Number(user.logins_count)', N], ['Number(user.email_verified)', N],
  ['Number(user.app_metadata?.list)', N], ['Number([5])', N], ['Number(null)', N], ['Number()', N],
  ["Number('1e3')", N], ["Number('-Infinity')", N], ["Number('.5')", N],
  // Template literals.
  ['`${user.given_name} ${user.family_name}`', N], ['`${user.logins_count} logins`', N],
  ['`${user.app_metadata?.roles}`', N], ['`${user.app_metadata}`', N], ['`id: ${user.user_id}`', N],
  ['`${user.missing}-${null}`', N], ['`line\\nbreak`', N], ['`${user.logins_count > 10 ? "a" : "b"}!`', N],
  ['`${(user.identities || []).map(i => i.provider)}`', N], ['`${0.1 + 0.2}`', N],
  // Strings and methods.
  ['user.email.toLowerCase()', N], ['user.email?.toLowerCase()', N], ['user.name.toUpperCase()', N],
  ['user.nickname?.toUpperCase()', N], ['user.email?.trim()', N], ["user.email?.split('@')", N],
  ["user.email?.split('@')[1]", N], ["user.email?.split('@')[0].toUpperCase()", N],
  ["user.name?.split(' ')", N], ["user.name?.split('')", N], ["user.name?.split()", N],
  ["user.name?.split(' ', 1)", N], ["user.created_at?.slice(0, 10)", N], ["user.name?.slice(-3)", N],
  ["user.name?.slice(1)", N], ["user.name?.slice(2, 1)", N], ["user.family_name?.slice(0, 2)", N],
  ["user.email?.includes('@')", N], ["user.email?.includes('example')", N],
  ["user.name?.includes('')", N], ["user.app_metadata?.roles?.includes('admin')", N],
  ["user.app_metadata?.roles?.join(', ')", N], ["user.app_metadata?.roles?.join()", N],
  ["user.app_metadata?.tags?.join('-')", N], ["user.app_metadata?.list?.slice(1)", N],
  ["user.app_metadata?.list?.includes(1)", N], ["user.app_metadata?.list?.includes('1')", N],
  ["user.app_metadata?.tags?.includes(null)", N], ["user.app_metadata?.tags?.includes(undefined)", N],
  ["[NaN].includes(NaN)", N], ["user.given_name.toLowerCase()", N], ["user.name.trim().length", N],
  ["user.name?.length", N], ["user.family_name?.length", N], ["user.given_name?.length", N],
  ["'ß'.toUpperCase()", N], ["'ΑΣ'.toLowerCase()", N], ["'İ'.toLowerCase().length", N],
  ["user.app_metadata?.plan?.toLowerCase()", N], ["user.user_metadata?.theme?.toUpperCase()", N],
  ["user.identities?.[0]?.provider", N], ["user.identities?.[1]?.connection ?? 'one'", N],
  ["user.identities.map(i => i.provider)", N], ["user.identities.map(i => i.connection).join(';')", N],
  ["(user.identities || []).map((x, i) => i + ':' + x.provider).join(' ')", N],
  ["(user.identities || []).map(i => i.isSocial)", N], ["(user.app_metadata?.roles || []).map(r => r.toUpperCase())", N],
  ["(user.app_metadata?.list || []).map(n => n * 2)", N], ["(user.app_metadata?.tags || []).map(t => typeof t)", N],
  ["[1, 2, 3].map(n => n / 3)", N], ["[user.given_name, user.family_name].join(' ')", N],
  ["[user.given_name, user.family_name].join(' ').trim()", N], ["[user.missing, null, 1].join('-')", N],
  ["[]", N], ["[1, 'a', null, true]", N], ["[[1, 2], [3]].join(';')", N],
  ["user.email.split('@').map(p => p.length)", N], ["'a,b,,c'.split(',')", N], ["''.split(',')", N],
  ["''.split('')", N], ["'abc'.split('', 2)", N],
  // Halves of a character outside the BMP (lone UTF-16 surrogates): a cell writes a half as
  // U+FFFD, but inside the expression it is JavaScript's: joined again, compared, quoted.
  ["user.family_name?.split('')", N], ['user.family_name[0]', P], ['user.family_name[1].length', P],
  ["user.family_name?.slice(0, 1) + user.family_name?.slice(1)", N],
  ['user.family_name?.[0] + user.family_name?.[1]', N],
  ['JSON.stringify(user.family_name?.slice(1, 2))', N], ["user.family_name?.slice(0, 1) < '\\uE000'", N],
  ['user.family_name?.includes(user.family_name?.slice(1, 2))', N],
  ["user.family_name?.includes('Emoji', 1)", N], ["user.family_name?.split('').length", N],
  // typeof, String, JSON.stringify.
  ['typeof user.logins_count', N], ['typeof user.missing', N], ['typeof user.app_metadata', N],
  ['typeof user.identities', N], ['typeof null', N], ['String(user.logins_count)', N],
  ['String(user.app_metadata)', N], ['String(user.identities)', N], ['String(null)', N], ['String()', N],
  ['String(user.missing)', N], ['String(0.1 + 0.2)', N], ['String(-0)', N], ['String([1, [2, 3]])', N],
  ['JSON.stringify(user.app_metadata)', N], ['JSON.stringify(user.identities)', N],
  ['JSON.stringify(user.missing)', N], ['JSON.stringify(user.name)', N], ['JSON.stringify(user.logins_count)', N],
  ['JSON.stringify([user.missing, NaN, 1e21, -0])', N], ['JSON.stringify(user.user_metadata)', N],
  ['JSON.stringify("a\\"b\\\\c\\n\\u0001")', N], ['JSON.stringify(user.app_metadata?.roles)', N],
  ['JSON.stringify(user)', N], ['JSON.stringify()', N], ['JSON.stringify(null)', N],
  ["'it\\'s' + \"\\u00e9\\x41\\u{1F600}\"", N], ["'tab\\there'", N],
  // Member access that throws (TypeError, as in JavaScript).
  ['user.missing.x', P], ['user.app_metadata.plan.x', P], ['user.identities[0].provider.x', P],
  ['user.user_metadata.nested.deep.x.y', P], ['user.missing.toLowerCase()', N], ['user.email.toLowerCase().x.y', N],
  ['user.app_metadata.roles.map(r => r)', N], ["user.logins_count.split(',')", N],
  ["user.name.join(',')", N], ["user.app_metadata?.roles?.toUpperCase()", N], ['null.x', N],
  ['user.identities.map(i => i.provider.toUpperCase())', N], ['user.user_metadata.nested.deep.x', P],
  // The shapes a native column's cells are written by (native/plan.rs): a number on either
  // side of a comparison, negated tests, tests that are not comparisons, `||`/`&&`/`??`
  // with a path on the left, concatenations of paths of every type, and
  // `.map(x => x.a.b).join(sep)` on arrays, non-arrays, nulls and missing values.
  ["10 < user.logins_count ? 'many' : 'few'", N], ["0 === user.logins_count ? 'none' : 'some'", N],
  ["7 >= user.logins_count ? 'le7' : 'gt7'", N], ["user.logins_count != 12 ? 'ne' : 'eq'", N],
  ["!(user.logins_count >= 5) ? 'low' : 'high'", N], ["!!user.name ? 'named' : 'anon'", N],
  ["!user.app_metadata?.roles?.length ? 'no roles' : 'roles'", N],
  ["user.logins_count - 7 ? 'not 7' : 'is 7'", N], ["5 + user.logins_count > 16 ? 'big' : 'small'", N],
  ["user.logins_count > '3' ? 'gt' : 'le'", N], ["user.name > 'M' ? 'late' : 'early'", N],
  ["user.app_metadata.plan ? 'plan' : 'no plan'", N], ["user.missing.x ? 'a' : 'b'", N],
  ["user.email_verified ? user.email : 'unverified'", N],
  ["user.logins_count > 3 ? user.name : user.logins_count", N],
  ["user.app_metadata?.plan ?? 'none'", N], ["user.app_metadata.plan && user.name", N],
  ["user.missing?.x || 'default'", N], ["user.user_metadata.nested.deep || 'shallow'", N],
  ["'<' + user.app_metadata.roles + '>'", N], ["user.name + user.logins_count + '!'", N],
  ["'[' + user.nickname + '|' + user.email_verified + '|' + user.missing + ']'", N],
  ["`${user.app_metadata}|${user.missing}|${user.user_metadata.nested.deep.x}`", N],
  ["'id:' + user.identities[0].provider", N], ["'x' + user.app_metadata?.score", N],
  ["(user.app_metadata?.roles || []).map(r => r).join('+')", N],
  ["user.identities?.map(i => i?.provider).join()", N],
  ["(user.identities ?? []).map(i => i.connection).join(' ')", N],
  ["user.app_metadata.roles.map(r => r.length).join()", N],
  ["(user.app_metadata?.tags || []).map(t => t.length).join(';')", N],
  ["user.name.map(x => x).join()", N], ["user.missing.map(i => i).join()", N],
  ["(user.identities || []).map(i => i.missing.x).join()", N],
  ["user.app_metadata?.list?.map(n => n).join('')", N],
  // `filter`, `find`, `findIndex`, `some`, `every` with a simple arrow: on arrays, non-arrays,
  // nulls and missing values; they stop at the first item that decides (so a later item's
  // error never comes); `find` gives the item itself.
  ["(user.identities || []).filter(i => i && i.isSocial).length", N],
  ["(user.identities || []).filter(i => i.isSocial).map(i => i.provider).join('|')", N],
  ["(user.identities || []).find(i => i.isSocial)?.provider", N],
  ["(user.identities || []).findIndex(i => i.provider === 'github')", N],
  ["(user.identities || []).some(i => i.isSocial)", N],
  ["(user.identities || []).every(i => i.isSocial)", N],
  ["user.identities.filter(i => i.provider)", N],
  ["user.identities?.find(i => i?.connection == 'corp')", N],
  ["user.app_metadata?.roles?.filter((r, i) => i > 0)", N],
  ["user.app_metadata?.tags?.filter(t => t).length", N],
  ["(user.app_metadata?.list || []).filter(n => n > 1).map(n => n * 10)", N],
  ["user.app_metadata?.roles?.some(r => r === 'admin') ? 'admin' : 'user'", N],
  ["[3, 1, 2].find(n => n < 3)", N], ["[0, '', 5].find(x => x === '')", N],
  ["[0, 1].find(x => !x)", N], ["[7, 8].findIndex((x, i) => i === 1)", N],
  ["[].every(x => false)", N], ["[].some(x => true)", N], ["[].find(x => true)", N],
  ["[].findIndex(x => true)", N], ["[].filter(x => true)", N],
  ["[1, 2, null].some(x => x === 2 || x.y)", N], ["[1, null].every(x => x > 5 && x.y)", N],
  ["[null, 1].every(x => x.y)", N], ["[1, null].find(x => x.y)", N],
  ["user.name.filter(x => x)", N], ["user.missing.some(x => x)", N],
  ["user.logins_count.every(x => x)", N], ["user.nickname?.find(x => x)", N],
  ["[user.email].filter(e => e).find(e => e.includes('@'))", N],
  ["(user.identities || []).filter(Boolean).length", J],
  ["(user.identities || []).find(({ provider }) => provider)", J],
  ["(user.identities || []).some(i => { return i.isSocial })", J],
  // `startsWith`, `endsWith`, `indexOf` on strings (positions in UTF-16 units, also inside
  // a character) and `indexOf` on arrays (strict equality).
  ["user.email?.endsWith('.com')", N], ["user.email?.startsWith('ada')", N],
  ["user.email?.indexOf('@')", N], ["(user.email || '').toLowerCase().endsWith('.com')", N],
  ["user.email?.toLowerCase().endsWith('@example.com') ? 'internal' : 'external'", N],
  ["user.email && user.email.indexOf('@') > 0 ? user.email.slice(0, user.email.indexOf('@')) : ''", N],
  ["user.family_name?.indexOf('Emoji')", N], ["user.family_name?.startsWith('Emoji', 3)", N],
  ["user.family_name?.startsWith('', 1)", N], ["user.family_name?.startsWith(' ', 1)", N],
  ["user.family_name?.endsWith('\u{1F600}', 2)", N], ["user.family_name?.endsWith('', 1)", N],
  ["user.family_name?.endsWith('\u{1F600}', 1)", N], ["user.family_name?.indexOf('', 1)", N],
  ["user.family_name?.indexOf(' ', 1)", N], ["user.given_name?.indexOf('k')", N],
  ["user.email?.startsWith()", N], ["'undefined'.startsWith()", N], ["'a1b'.indexOf(1)", N],
  ["user.email?.indexOf('e', -5)", N], ["user.email?.indexOf('e', 1e21)", N],
  ["user.email?.indexOf('', 1e21)", N], ["user.email?.endsWith('m', NaN)", N],
  ["user.email?.endsWith('m', Infinity)", N], ["user.email?.startsWith('a', -Infinity)", N],
  ["user.email?.startsWith('e', '2')", N], ["user.email?.endsWith('@', user.email?.indexOf('@') + 1)", N],
  ["user.logins_count.startsWith('1')", N], ["user.logins_count?.indexOf(1)", N],
  ["user.app_metadata?.roles?.startsWith('a')", N], ["user.missing.endsWith('x')", N],
  ["(user.app_metadata?.roles || []).indexOf('dev')", N],
  ["(user.app_metadata?.tags || []).indexOf(null)", N], ["[NaN].indexOf(NaN)", N],
  ["[1, 2, 1].indexOf(1, 1)", N], ["[1, 2, 1].indexOf(1, -1)", N], ["[0].indexOf(-0)", N],
  ["['1'].indexOf(1)", N], ["user.app_metadata?.list?.indexOf(2, '1')", N],
  ["[1, 2].indexOf(2, Infinity)", N], ["[1, 2].indexOf(1, -Infinity)", N], ["[].indexOf()", N],
  ["[undefined].indexOf()", N], ["user.name?.indexOf?.('a')", J],
  // `replace` and `replaceAll` with strings (`$$`, `$&`, `` $` ``, `$'` expanded; `$1`
  // and `$<x>` as they are), `substring`, `padStart`, `padEnd`, `trimStart`, `trimEnd`.
  ["user.user_id.replace('auth0|', '')", N], ["user.email?.replace('@', ' at ')", N],
  ["user.email?.replace('', '>')", N], ["user.given_name?.replaceAll('', '-')", N],
  ["user.family_name?.replaceAll('', '.')", N],
  ["user.email?.replace('@', '[$&|$`|$\\'|$$|$1|$<x>|$]')", N],
  ["user.email?.replaceAll('e', '$&$&')", N], ["user.email?.replaceAll('.', '$`')", N],
  ["'aaaa'.replaceAll('aa', 'b')", N], ["'aaa'.replace('a', '$\\'')", N],
  ["'aXbXc'.replaceAll('X', '$\\'')", N], ["user.email?.replace(user.name, user.nickname)", N],
  ["user.logins_count.replace('1', '2')", N], ["user.missing.replace('a', 'b')", N],
  ["user.email?.replace('e')", N], ["user.email?.replace()", N], ["'x'.replace('x', 1e21)", N],
  ["user.family_name?.replace('\\u{1F600}', ':)')", N], ["user.email?.replace(/e/g, 'E')", J],
  ["user.email?.substring(0, user.email.indexOf('@'))", N], ["user.email?.substring(5, 2)", N],
  ["user.email?.substring(-3)", N], ["user.email?.substring(NaN, 3)", N],
  ["user.family_name?.substring(1)", N], ["user.family_name?.substring(0, 2)", N],
  ["user.email?.substring('2', Infinity)", N], ["user.name?.substring(1)", N],
  ["String(user.logins_count).padStart(5, '0')", N], ["user.nickname?.padEnd(8, '.') + '|'", N],
  ["user.name?.padStart(10)", N], ["'abc'.padStart(6, '12345')", N], ["'abc'.padEnd(2, 'x')", N],
  ["'abc'.padEnd(5, '')", N], ["'x'.padStart(4, '\\u{1F600}')", N], ["'x'.padStart(1e8, '')", N],
  ["'ab'.padStart('5', 7)", N], ["'ab'.padEnd(-1)", N], ["user.logins_count.padStart(3)", N],
  ["user.given_name?.padEnd(12, '\u00e9\u00df') + '|'", N],
  ["user.email?.trimStart() + '|'", N], ["user.email?.trimEnd() + '|'", N],
  ["user.name?.trimStart()", N], ["'\\u2028 x \\u00a0'.trimEnd() + '|'", N],
  // `Math` (rounding halves up, signs of zero), `Boolean`, `Array.isArray`.
  ["Math.round(user.logins_count / 7)", N], ["Math.round(2.5)", N], ["Math.round(-2.5)", N],
  ["Math.round(-0.4)", N], ["1 / Math.round(-0.2)", N], ["Math.round(0.49999999999999994)", N],
  ["Math.round(user.app_metadata?.score)", N], ["Math.round()", N], ["Math.round('1.5')", N],
  ["Math.round(4503599627370495.5)", N], ["1 / Math.ceil(-0.5)", N], ["Math.floor(-1.5)", N],
  ["Math.trunc(-1.5)", N], ["Math.abs(user.app_metadata?.neg)", N], ["Math.sign(-3)", N],
  ["1 / Math.sign(-0)", N], ["Math.sign('x')", N], ["Math.floor(user.app_metadata?.huge)", N],
  ["Math.max()", N], ["Math.min()", N], ["Math.max(1, NaN, 3)", N], ["1 / Math.max(-0, 0)", N],
  ["1 / Math.min(0, -0)", N], ["1 / Math.max(-0)", N], ["Math.max('10', 9)", N],
  ["Math.max(null, -1)", N], ["Math.max(1, user.missing.x)", N], ["Math.max(NaN, user.missing.x)", N],
  ["Math.min(user.logins_count, user.app_metadata?.count)", N], ["Math.min(...[1])", J],
  ["Math.round(1, 2)", J],
  ["Boolean(user.email)", N], ["Boolean()", N], ["Boolean('')", N], ["Boolean(user.identities)", N],
  ["Array.isArray(user.name)", N], ["Array.isArray()", N],
  ["Array.isArray([])", N], ["Array.from([1])", J],
  // `Object.keys`, `values`, `entries` (integer keys first: see the Rust unit test, as JSON
  // written by JavaScript already has them first).
  ["Object.keys(user.app_metadata).join(',')", N], ["Object.values(user.user_metadata)", N],
  ["Object.entries(user.app_metadata).length", N], ["Object.keys(user.app_metadata || []).length", N],
  ["JSON.stringify(Object.entries(user.user_metadata))", N], ["Object.keys(user.name)", N],
  ["Object.values(user.user_metadata || {})", N],
  // `{}` as the fallback of `||` / `??` that is only read from or listed: native (one
  // empty object serves, as nothing can tell them apart there); anywhere else JavaScript's.
  ["(user.user_metadata || {}).theme", N], ["(user.app_metadata ?? {}).plan", N],
  ["(user.missing || {}).x.y", N], ["(user.app_metadata || {}).roles?.length ?? 0", N],
  ["(user.name || {}).length", N], ["(user.identities || {}).map(i => i.provider)", N],
  ["(user.user_metadata || {})['a-b']", N], ["Object.entries(user.missing ?? {})", N],
  ["({}).x", J], ["(user.a || {}) === (user.b || {})", J], ["[user.a || {}].length", J],
  ["JSON.stringify(user.app_metadata || {})", J], ["(user.user_metadata || { a: 1 }).a", J],
  ["(user.a || (user.b || {})).c", J],
  ["Object.values(user.family_name || '')", N], ["Object.keys(user.logins_count)", N],
  ["Object.entries(user.identities || [])", N], ["Object.keys()", N], ["Object.keys(user.missing)", N],
  ["Object.values(user.name)", N], ["Object.entries(user.email_verified)", N],
  ["Object.assign({}, user.app_metadata)", J],
  // JavaScript tier.
  ["Math.max(user.logins_count || 0, 10)", N], ["Object.keys(user.app_metadata || {}).length", N],
  ["Object.keys(user).sort().join(',')", J], ["user.email?.replace(/@.*/, '')", J],
  ["user.name?.startsWith?.('A')", J],
  ["(user.app_metadata?.list || []).reduce((a, b) => a + b, 0)", J],
  ["[...(user.app_metadata?.roles || [])].reverse().join('/')", J],
  ["({ id: user.user_id, n: user.logins_count })", J], ["user.logins_count?.toFixed?.(2)", J],
  ["user.name?.padStart?.(12, '*')", J], ["'ab'.padStart(1e21, '') + 'c'.padEnd(2e7, [])", N], ["(user.given_name || '').charAt(0)", J],
  ["user.app_metadata?.constructor === Object", J], ["user.toString()", J],
  ["(() => { let n = 0; for (const k in user) n++; return n; })()", J],
  ["parseInt(user.logins_count, 10)", J], ["encodeURIComponent(user.email || '')", J],
  ["user.email ? user.email.split('@').pop() : ''", J], ["Array.isArray(user.identities)", N],
  ["new Date(0).toISOString()", J], ["user[`user_id`]", J], ["user.name.toLowerCase", J],
  ["user.missing?.()", J], ["undefinedVariable", P], ["someGlobal + 1", J],
  ["user.hasOwnProperty('email')", J], ["'email' in user", J], ["user.email && user.hasOwnProperty('name')", J],
  // `map` and `filter` on plain arrays skip `ArraySpeciesCreate` (js.rs, `plain_array`):
  // holes, `this`, arrays changed while mapped, subclasses, own `constructor`s, proxies and
  // array-likes must all still behave as the specification says.
  ["JSON.stringify([1, , 3].map(x => x * 2))", J], ["1 in [1, , 3].map(x => x)", J],
  ["[1, , 3, , ].filter(x => true).length", J], ["[1, , 3].map(x => x).length", J],
  ["(() => { const a = [1, 2, 3]; return JSON.stringify(a.map((x) => { a.pop(); return x; })); })()", J],
  ["(() => { class A extends Array {} return A.from([1, 2]).map(x => x) instanceof A; })()", J],
  ["(() => { class A extends Array {} return A.from([1, 2]).filter(x => x > 1) instanceof A; })()", J],
  ["(() => { const a = [1, 2]; a.constructor = undefined; return a.map(x => x + 1); })()", J],
  ["(() => { const a = [1, 2]; a.constructor = { [Symbol.species]: null }; return a.filter(x => x > 1); })()", J],
  ["(() => { const a = [1, 2]; a.constructor = 5; return a.map(x => x); })()", J],
  ["[1, 2].map(function (x) { return x + this.k; }, { k: 10 })", J],
  ["[5, 6].map((x, i, a) => i + a.length).join()", J], ["[1].map(5)", J], ["[1].filter()", J],
  ["Array.prototype.map.call({ length: 2, 0: 'a', 1: 'b' }, x => x + x)", J],
  ["JSON.stringify(new Proxy([1, 2], {}).map(x => x * 2))", J],
  ["(user.app_metadata?.roles || []).map((r, i) => i + ':' + r).filter(Boolean).join()", J],
  // Objects handed in with only the members a source reads (`user.a.b`): the read values
  // must be the whole object's, and a read of an inherited name gets the whole object.
  ["user.app_metadata?.roles?.filter(r => r).length ?? -1", N],
  ["typeof user.app_metadata?.name === 'string' ? user.app_metadata.name.padEnd(4, '.') : 'none'", N],
  ["user.user_metadata?.nested?.deep?.x ?? (user.user_metadata?.theme || '-').repeat(2)", J],
  ["user.app_metadata && user.app_metadata.hasOwnProperty('plan')", J],
  ["user.app_metadata?.toString?.() ?? 'x'", J],
  ["user.app_metadata ? user.app_metadata.plan?.repeat?.(2) + '/' + JSON.stringify(user.app_metadata) : '-'", J],
  // Most sources run as a script with `user` in a block (js.rs, `direct_script`); these
  // must still see the function they are written for: `this`, `arguments`, a direct
  // `eval`'s `var`, `new.target`, and names spelled with escapes.
  ['this === globalThis', J], ['(() => this === globalThis)()', J],
  ['arguments.length + ":" + (arguments[0] === user)', J], ['typeof \\u0061rguments', J],
  ["eval('var v = user.email; v') ?? 'none'", J], ["(0, eval)('typeof user')", J],
  ["eval('var n = (typeof n === \"number\" ? n : 0) + 1; n')", J],
  ['typeof new.target', J], ['(() => typeof new.target)()', J],
  // `join` is done natively (js.rs, `guarded_join`): holes, nulls, nested arrays, objects'
  // own `toString`, separators of every type, array-likes, getters, a cycle, symbols.
  ["[1, null, undefined, , 'x', [2, [3]], {}].join('-')", J], ['[1, 2].join(undefined) + [1, 2].join(null)',N],
  ["[1, 2].join({ toString() { return '+'; } })", J], ["[{ toString() { return 'o'; } }, 1.5, -0, 1e21, true].join()", J],
  ["Array.prototype.join.call({ length: 2, 0: 'a', 1: 'b' }) + Array.prototype.join.call('abc', '.')", J],
  ['(() => { const a = [1]; a.push(a); return a.join(); })()', J], ['String([1, [2, 3]]) + [] + [[]]',N],
  ["(() => { const a = [1, 2]; Object.defineProperty(a, 1, { get() { return 'g'; } }); return a.join(); })()", J],
  ["[Symbol('s')].join()", J], ['Array.prototype.join.call(null)', J], ['(user.identities || []).join()',N],
  ["[user].map(u => u === user).join() + typeof user", N],
  // Elements read in place on arrays; what is not an own data element is asked the long way.
  ["(() => { Array.prototype[1] = 'p'; try { return [0, , 2].map(x => x).join() + [0, , 2].join(); } finally { delete Array.prototype[1]; } })()", J],
  ["(() => { Array.prototype[1] = 'p'; try { return [0, , 2].filter(x => true).join(); } finally { delete Array.prototype[1]; } })()", J],
  ["(() => { const a = [1, 2]; Object.defineProperty(a, 0, { get() { return 'g'; } }); return a.map(x => x + '!').join(); })()", J],
  ["(() => { const a = [1, 2, 3]; return JSON.stringify(a.map((x, i) => { delete a[2]; return x; })); })()", J],
  ["(() => { const a = [1, 2, 3]; a.length = 2; return a.join() + a.map(x => x).length; })()", J],
  ["(function (a) { a = 'q'; return Array.prototype.join.call(arguments, '+'); })('a', 'b')", J],
];

// Sources that must fail when the column is built (a syntax error, with its byte offset).
const buildErrors = [
  ["user.app_metadata?.plan ?? user.name || 'x'", 37],
  ['user.name +', 11],
  ["user.name + 'x", 12],
  ['(user.name', 10],
  ['user..name', 6],
  ['user.name )', 10],
  ['Math.max(1) )', 12],
  ['', 0],
  // Ending too early: the error is at the end, not at the wrapper's `)`.
  ['user.a = ', 9], ['(x) =>', 6], ['{', 1], ['`${user.a', 9], ['user.a\n+', 8],
  ['f(user.a = )', 11],
  // Closing the wrapper's brackets early to add code: not one expression.
  ['1); (2', 1],
  ['user.email); (user.name', 10],
  ['(function () { return 1; })()); (2', 29],
];


const out = {
  description: 'Column expressions evaluated per user. For each case, `expected[i]` is the cell for `users[i]`: ' +
    '{text, json} (the CSV text and the JSON value) or {error: <JavaScript error name>}. `tier` is the tier ' +
    'userio chooses. Generated by generate.mjs with Node; every tier that can run a case must give the same cell. ' +
    '`build_errors` lists sources that must be rejected when the column is built, with the byte offset of the error.',
  users,
  build_errors: buildErrors.map(([source, offset]) => {
    let ok = true;
    // Inside `[( … )]` as well: a source that closes the brackets early fails there.
    try {
      new Function('user', 'return (\n' + source + '\n);');
      new Function('user', 'return [(\n' + source + '\n)];');
      ok = false;
    } catch (e) { }
    if (!ok && source !== '') throw new Error('not a syntax error: ' + source);
    return { source, offset };
  }),
  cases: cases.map(([source, tier]) => {
    const body = tier === 'path' && !/^user\b/.test(source) ? 'user.' + source : source;
    const fn = new Function('user', 'return (\n' + body + '\n);');
    const expected = users.map(({ user }) => {
      try {
        return cellOf(fn(JSON.parse(JSON.stringify(user))));
      } catch (e) {
        return { error: e.name };
      }
    });
    return { source, tier, expected };
  }),
};
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'corpus.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`${out.cases.length} cases x ${users.length} users`);
