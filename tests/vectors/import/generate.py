# Regenerates the input files of the import vectors (not the sidecars: those are written by
# `UPDATE_VECTORS=1 cargo test -p userio-core --test import_vectors` and reviewed by hand).
# Run from this directory: python3 generate.py
import hashlib, hmac, base64, json, os
def b64(b): return base64.b64encode(b).decode()
def b64np(b): return base64.b64encode(b).decode().rstrip('=')
pw=b"password"
md5hex=hashlib.md5(pw).hexdigest()
sha1b64=b64(hashlib.sha1(pw).digest())
sha256hex=hashlib.sha256(pw).hexdigest().upper()
sha512b64url=base64.urlsafe_b64encode(hashlib.sha512(b"abc123"+pw).digest()).decode().rstrip('=')
md4hex="8a9d093f14f8701df17732b2bb182c74"
salt8=bytes(range(1,9))
pb=hashlib.pbkdf2_hmac('sha512',pw,salt8,1000,64)
pbkdf2=f"$pbkdf2-sha512$i=1000,l=64${b64np(salt8)}${b64np(pb)}"
pb32=hashlib.pbkdf2_hmac('sha256',pw,salt8,1000,32)
pbkdf2_32=f"$pbkdf2-sha256$i=1000,l=32${b64np(salt8)}${b64np(pb32)}"
argon=f"$argon2id$v=19$m=65536,t=2,p=1${b64np(bytes(range(16)))}${b64np(bytes(range(32,64)))}"
ssha384="{SSHA384}"+b64(hashlib.sha384(pw+salt8).digest()+salt8)
ldapmd5="{MD5}"+b64(hashlib.md5(pw).digest())
scrypt=hashlib.scrypt(pw,salt=b'abc123',n=4096,r=8,p=1,dklen=32).hex()
hm="cg7f42jH39/2EaAU4wNd4s2lKIk="
assert b64(hmac.new(bytes.fromhex("736868"),b"test","sha1").digest())==hm
bc="$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"
bcy="$2y$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"
n=[0]
def E():
    n[0]+=1; return f"user{n[0]}@example.com"
def cph(**kw): return {"email":E(),"custom_password_hash":kw}
def write(name, users, ndjson=False):
    with open(name,"w") as f:
        if ndjson:
            for u in users: f.write(json.dumps(u,ensure_ascii=False)+"\n")
        else:
            f.write("[\n"+",\n".join(json.dumps(u,ensure_ascii=False) for u in users)+"\n]\n")

# ---------- valid ----------
write("valid-every-field.json",[
 {"email":"jane.doe@example.com","email_verified":True,"phone_number":"+12125550001","phone_verified":False,"user_id":"5f1a2b","username":"jane.doe","given_name":"Jane","family_name":"Doe","name":"Jane Doe","nickname":"jd","picture":"https://cdn.example.com/jane.png","blocked":False,"password_hash":bc,"app_metadata":{"plan":"gold","roles":["admin"]},"user_metadata":{"language":"fr","address":{"city":"Paris"}},"mfa_factors":[{"totp":{"secret":"JBTWY3DPEHPK3PNP"}},{"phone":{"value":"+12125550001"}},{"email":{"value":"jane.mfa@example.com"}}]},
 {"email":"Zoë.Müller@exämple.de","name":"Zoë Müller"},
])
write("valid-every-algorithm.json",[
 cph(algorithm="argon2",hash={"value":argon}),
 cph(algorithm="argon2",hash={"value":argon,"encoding":"utf8"}),
 cph(algorithm="bcrypt",hash={"value":bc}),
 cph(algorithm="bcrypt",hash={"value":bcy,"encoding":"utf8"},salt={"value":"pepper","position":"suffix"}),
 cph(algorithm="hmac",hash={"value":hm,"encoding":"base64","digest":"sha1","key":{"value":"736868","encoding":"hex"}}),
 cph(algorithm="ldap",hash={"value":ssha384}),
 cph(algorithm="ldap",hash={"value":ldapmd5,"encoding":"utf8"}),
 cph(algorithm="md4",hash={"value":md4hex,"encoding":"hex"}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"hex"},salt={"value":"c2FsdA==","encoding":"base64","position":"prefix"},password={"encoding":"utf16le"}),
 cph(algorithm="sha1",hash={"value":sha1b64,"encoding":"base64"}),
 cph(algorithm="sha256",hash={"value":sha256hex,"encoding":"hex"},salt={"value":"73616c74","encoding":"hex"}),
 cph(algorithm="sha512",hash={"value":sha512b64url,"encoding":"base64"},salt={"value":"abc123"}),
 cph(algorithm="pbkdf2",hash={"value":pbkdf2}),
 cph(algorithm="pbkdf2",hash={"value":pbkdf2_32,"encoding":"utf8"}),
 cph(algorithm="scrypt",hash={"value":scrypt,"encoding":"hex"},salt={"value":"abc123","encoding":"utf8"},keylen=32,cost=4096,blockSize=8,parallelization=1),
])
write("valid-ndjson.ndjson",[{"email":"a@example.com"},{"email":"b@example.com","user_metadata":{}},{"email":"c@example.com","app_metadata":{"plan":"free"}}],ndjson=True)
write("valid-with-warnings.json",[
 {"email":E(),"user_id":"auth0|abc"},
 {"email":E(),"username":"a_rather_long_username"},
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"hex"},keylen=16),
 {"email":E(),"user_metadata":{"bio":"x"*10300}},
])

# ---------- invalid: user rules ----------
write("invalid-required-and-types.json",[
 {"email_verified":True},
 {"email":42},
 {"email":E(),"email_verified":"true","phone_verified":1,"blocked":None},
 {"email":E(),"user_id":123,"username":["x"],"given_name":1,"family_name":{},"name":False,"nickname":2,"picture":3,"phone_number":12125550001},
 {"email":E(),"password_hash":1,"custom_password_hash":"md5","app_metadata":[],"user_metadata":"x","mfa_factors":{}},
 "jane@example.com",
 [ {"email":E()} ],
 None,
])
write("invalid-additional-properties.json",[
 {"email":E(),"created_at":"2020-01-01T00:00:00.000Z","identities":[],"logins_count":3},
 {"email":E(),"password":"hunter2"},
 {"email":E(),"emial_verified":True,"favorite_color":"blue"},
 {"email":E(),"custom_password_hash":{"algorithm":"md5","hash":{"value":md5hex,"encoding":"hex"},"salt_prefix":"x","digest":"md5","extra":1}},
 {"email":E(),"custom_password_hash":{"algorithm":"md5","hash":md5hex,"encoding":"hex"}},
])
write("invalid-formats-and-lengths.json",[
 {"email":"no-at-sign.example.com"},
 {"email":"two@@example.com"},
 {"email":"jane@localhost"},
 {"email":"jane doe@example.com"},
 {"email":("a"*65)+"@example.com"},
 {"email":E(),"picture":"/avatars/1.png"},
 {"email":E(),"picture":"https://cdn.example.com/a b.png"},
 {"email":E(),"phone_number":"+1 212 555 0001"},
 {"email":E(),"phone_number":"12125550001"},
 {"email":E(),"user_id":"abc 123"},
 {"email":E(),"user_id":"x"*256},
 {"email":E(),"user_id":""},
 {"email":E(),"username":"jöhn"},
 {"email":E(),"username":"jane@example.com"},
 {"email":E(),"username":"u"*129},
 {"email":E(),"given_name":"","family_name":"F"*151},
 {"email":E(),"name":"N"*301,"nickname":""},
])
write("invalid-mfa-factors.json",[
 {"email":E(),"mfa_factors":[]},
 {"email":E(),"mfa_factors":[{"totp":{"secret":"JBTWY3DPEHPK3PNP"}}]*11},
 {"email":E(),"mfa_factors":[{}]},
 {"email":E(),"mfa_factors":[{"totp":{"secret":"JBTWY3DPEHPK3PNP"},"phone":{"value":"+12125550001"}}]},
 {"email":E(),"mfa_factors":[{"recovery_code":{"value":"x"}},{"sms":{"value":"+1"}}]},
 {"email":E(),"mfa_factors":[{"totp":{"secret":"jbtwy3dpehpk3pnp"}},{"totp":{"secret":"JBTWY3DPEHPK3PNP===="}},{"totp":{"secret":"JBTWY3DPEHPK3PN1","issuer":"x"}}]},
 {"email":E(),"mfa_factors":[{"totp":{}},{"phone":{"value":"+1-212-555-0001"}},{"email":{"value":"not-an-email"}},{"email":{"address":"a@b.com"}}]},
 {"email":E(),"mfa_factors":["totp",{"totp":"JBTWY3DPEHPK3PNP"},{"phone":{"value":12125550001}}]},
])
write("invalid-metadata.json",[
 {"email":E(),"app_metadata":{"__tenant":1,"_id":1,"blocked":1,"clientID":1,"created_at":1,"email_verified":1,"email":1,"globalClientID":1,"global_client_id":1}},
 {"email":E(),"app_metadata":{"identities":1,"lastIP":1,"lastLogin":1,"loginsCount":1,"metadata":1,"multifactor_last_modified":1,"multifactor":1,"updated_at":1,"user_id":1}},
 {"email":E(),"user_metadata":{"email":"ok: only app_metadata reserves keys","address.city":"Paris","prefs":{"$set":1,"list":[{"a.b":1}]}}},
 {"email":E(),"app_metadata":{"nested":{"email":"fine below the top"},"price$":1}},
])
write("invalid-password-hash.json",[
 {"email":E(),"password_hash":bcy},
 {"email":E(),"password_hash":"$2x$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"},
 {"email":E(),"password_hash":"$2a$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1"},
 {"email":E(),"password_hash":"$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1!"},
 {"email":E(),"password_hash":"$2b$03$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"},
 {"email":E(),"password_hash":"$2b$32$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"},
 {"email":E(),"password_hash":"$2b$1$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"},
 {"email":E(),"password_hash":md5hex},
 {"email":E(),"password_hash":"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"},
 {"email":E(),"password_hash":bc,"custom_password_hash":{"algorithm":"md5","hash":{"value":md5hex,"encoding":"hex"}}},
])
write("invalid-custom-password-hash.json",[
 # shape and enums
 {"email":E(),"custom_password_hash":{"hash":{"value":md5hex,"encoding":"hex"}}},
 {"email":E(),"custom_password_hash":{"algorithm":"md5"}},
 cph(algorithm="sha384",hash={"value":md5hex,"encoding":"hex"}),
 cph(algorithm="MD5",hash={"value":md5hex,"encoding":"hex"}),
 cph(algorithm="md5",hash={"encoding":"hex"}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"latin1"}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"hex"},salt={"encoding":"hex"}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"hex"},salt={"value":"zz","encoding":"hex","position":"middle"}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"hex"},salt={"value":"a=b","encoding":"base64"},password={"encoding":"utf16"}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"hex"},salt="abc"),
 # argon2
 cph(algorithm="argon2",hash={"value":argon,"encoding":"base64"}),
 cph(algorithm="argon2",hash={"value":argon},salt={"value":"abc"}),
 cph(algorithm="argon2",hash={"value":"$argon2id$m=65536,t=2$c2FsdA$aGFzaA"}),
 cph(algorithm="argon2",hash={"value":"$argon2x$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"}),
 cph(algorithm="argon2",hash={"value":"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA==$aGFzaA"}),
 cph(algorithm="argon2",hash={"value":"argon2id"}),
 # bcrypt
 cph(algorithm="bcrypt",hash={"value":bc,"encoding":"base64"}),
 cph(algorithm="bcrypt",hash={"value":"$2x$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"}),
 cph(algorithm="bcrypt",hash={"value":"$2b$10$short"}),
 # hmac
 cph(algorithm="hmac",hash={"value":hm,"encoding":"base64"}),
 cph(algorithm="hmac",hash={"value":hm,"encoding":"base64","digest":"sha1","key":{"value":"73686","encoding":"hex"}}),
 cph(algorithm="hmac",hash={"value":hm,"encoding":"base64","digest":"sha256","key":{"value":"k"}}),
 cph(algorithm="hmac",hash={"value":hm,"encoding":"utf8","digest":"sha3","key":{"encoding":"utf8"}}),
 # ldap
 cph(algorithm="ldap",hash={"value":"{CRYPT}$1$abc$def"}),
 cph(algorithm="ldap",hash={"value":"{PBKDF2}abc"}),
 cph(algorithm="ldap",hash={"value":"{SSHA384}"+b64(hashlib.sha384(pw).digest())}),
 cph(algorithm="ldap",hash={"value":"{MD5}"+b64(hashlib.sha1(pw).digest())}),
 cph(algorithm="ldap",hash={"value":"SSHA384"+b64(hashlib.sha384(pw).digest())}),
 cph(algorithm="ldap",hash={"value":ssha384,"encoding":"hex"},salt={"value":"x"}),
 cph(algorithm="ldap",hash={"value":"{SHA}not*base64"}),
 # md4 / md5 / sha*
 cph(algorithm="md4",hash={"value":md4hex}),
 cph(algorithm="md5",hash={"value":md5hex,"encoding":"utf8"}),
 cph(algorithm="md5",hash={"value":hashlib.sha1(pw).hexdigest(),"encoding":"hex"}),
 cph(algorithm="sha1",hash={"value":sha1b64,"encoding":"hex"}),
 cph(algorithm="sha1",hash={"value":"not base64!","encoding":"base64"}),
 cph(algorithm="sha256",hash={"value":sha256hex[:-1],"encoding":"hex"}),
 cph(algorithm="sha512",hash={"value":sha256hex,"encoding":"hex"}),
 # pbkdf2
 cph(algorithm="pbkdf2",hash={"value":pbkdf2.replace("pbkdf2-sha512","pbkdf2-SHA512")}),
 cph(algorithm="pbkdf2",hash={"value":pbkdf2.replace("l=64","l=32")}),
 cph(algorithm="pbkdf2",hash={"value":pbkdf2,"encoding":"hex"},salt={"value":"x"}),
 cph(algorithm="pbkdf2",hash={"value":"$pbkdf2-sha512$i=abc,l=64$c2FsdA$aGFzaA"}),
 cph(algorithm="pbkdf2",hash={"value":"pbkdf2-sha512:1000:abc"}),
 # scrypt
 cph(algorithm="scrypt",hash={"value":scrypt,"encoding":"hex"}),
 cph(algorithm="scrypt",hash={"value":scrypt,"encoding":"hex"},keylen=0,cost=1000,blockSize=0,parallelization=-1),
 cph(algorithm="scrypt",hash={"value":scrypt,"encoding":"hex"},keylen=64),
 cph(algorithm="scrypt",hash={"value":scrypt},keylen="32"),
])
write("invalid-duplicates.json",[
 {"email":"jane@example.com","user_id":"1","username":"jane"},
 {"email":"bob@example.com","user_id":"2","username":"bob"},
 {"email":"JANE@Example.com","user_id":"3"},
 {"email":"carol@example.com","user_id":"1"},
 {"email":"dave@example.com","user_id":"4","username":"Jane"},
 {"email":"eve@example.com","user_id":"2b"},
])

# ---------- file-level ----------
def raw(name, data):
    with open(name,"wb") as f: f.write(data)
raw("file-empty.json", b"")
raw("file-whitespace.json", b"  \n\t\n")
raw("file-empty-array.json", b"[ ]\n")
raw("file-not-json.txt", b"email,name\njane@example.com,Jane\n")
raw("file-not-an-array.json", b"123\n")
raw("file-trailing-comma.json", b'[\n  {"email": "a@example.com"},\n  {"email": "b@example.com"},\n]\n')
raw("file-truncated.json", b'[\n  {"email": "a@example.com"},\n  {"email": "b@exa')
raw("file-missing-bracket.json", b'[\n  {"email": "a@example.com"}\n')
raw("file-bad-utf8.json", b'[\n  {"email": "a@example.com"},\n  {"email": "b@example.com", "name": "Ren\xe9e"}\n]\n')
raw("file-invalid-json-record.json", b'[\n  {"email": "a@example.com"},\n  {"email": "b@example.com", "blocked": tru}\n]\n')
raw("file-missing-comma.json", b'[\n  {"email": "a@example.com"}\n  {"email": "b@example.com"}\n]\n')
raw("file-text-after-array.json", b'[{"email": "a@example.com"}]\n[{"email": "b@example.com"}]\n')
raw("file-too-large.json", b'[\n' + b',\n'.join(b'{"email": "user%d@example.com"}' % i for i in range(40)) + b'\n]\n')
raw("file-record-too-large.json", b'[\n  {"email": "a@example.com"},\n  {"email": "b@example.com", "user_metadata": {"bio": "' + b"x"*300 + b'"}}\n]\n')
raw("file-with-bom.json", b'\xef\xbb\xbf[{"email": "a@example.com"}]\n')
