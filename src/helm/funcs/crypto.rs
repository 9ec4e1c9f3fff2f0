//! Sprig v3.3.0 crypto.go's functions of chance: `bcrypt`, `htpasswd`, `randBytes`, `uuidv4`,
//! `genPrivateKey`, `genCA`, `genSelfSignedCert`, `genSignedCert` (and their `WithKey`
//! forms), `encryptAES` give fixed, clearly fake values (a UUID of zeros, PEM blocks that say
//! they are fake, a bcrypt-shaped string with a `fakesalt`), so that renders are reproducible;
//! `encryptAES` is real AES-256-CBC with a zero IV (Sprig's is random). `buildCustomCert`
//! decodes its base64 arguments as Sprig does (without checking that they are a certificate
//! and key); `derivePassword` and `decryptAES` are Sprig's (scrypt, HMAC-SHA256, AES).

use std::collections::BTreeMap;
use std::rc::Rc;

use super::encoding::{base64_decode, base64_encode, hex};
use super::{args_n, as_int, as_str, check_len, s};
use crate::helm::value::{Object, Value};

type R = Result<Value, String>;

/// The fake bcrypt hash of `input`: `$2a$10$`, a 22-character fake salt, 31 characters that
/// depend on the input.
fn fake_bcrypt(input: &str) -> String {
    let digest = hex(&crate::kustomize::hash::sha256(input.as_bytes()));
    format!(
        "$2a$10$fakesaltfakesaltfakesa{}",
        digest.get(..31).unwrap_or_default()
    )
}

pub(crate) fn bcrypt(args: &[Value]) -> R {
    let [input] = args_n("bcrypt", args)?;
    Ok(s(fake_bcrypt(as_str(input)?)))
}

pub(crate) fn htpasswd(args: &[Value]) -> R {
    let [user, pass] = args_n("htpasswd", args)?;
    let (user, pass) = (as_str(user)?, as_str(pass)?);
    if user.contains(':') {
        return Ok(s(format!("invalid username: {user}")));
    }
    Ok(s(format!("{user}:{}", fake_bcrypt(pass))))
}

/// `randBytes N`: the base64 of N zero bytes.
pub(crate) fn rand_bytes(args: &[Value]) -> R {
    let [n] = args_n("randBytes", args)?;
    let n = as_int(n)?;
    if n < 0 {
        return Err("runtime error: makeslice: len out of range".to_owned());
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    check_len("randBytes", n.saturating_mul(4) / 3)?;
    Ok(s(base64_encode(&vec![0u8; n])))
}

pub(crate) fn uuidv4(args: &[Value]) -> R {
    args_n::<0>("uuidv4", args)?;
    Ok(s("00000000-0000-4000-8000-000000000000"))
}

/// A PEM block whose body (valid base64 characters) reads as a note that it is fake.
fn fake_pem(kind: &str, what: &str) -> String {
    let mut body: String = format!("KubewardFake {what} HelmGeneratesARandomOneAtInstallTime")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    while !body.len().is_multiple_of(4) {
        body.push('A');
    }
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

pub(crate) fn gen_private_key(args: &[Value]) -> R {
    let [kind] = args_n("genPrivateKey", args)?;
    let kind = as_str(kind)?;
    Ok(s(match kind {
        "" | "rsa" => fake_pem("RSA PRIVATE KEY", "RSA private key"),
        "dsa" => fake_pem("DSA PRIVATE KEY", "DSA private key"),
        "ecdsa" => fake_pem("EC PRIVATE KEY", "ECDSA private key"),
        "ed25519" => fake_pem("PRIVATE KEY", "ed25519 private key"),
        other => format!("Unknown type {other}"),
    }))
}

/// Sprig's `certificate` (fields `Cert` and `Key`).
#[derive(Debug)]
struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &'static str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(s(self.cert.as_str())),
            "Key" => Some(s(self.key.as_str())),
            _ => None,
        }
    }

    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Cert".to_owned(), s(self.cert.as_str()));
        m.insert("Key".to_owned(), s(self.key.as_str()));
        Value::map(m)
    }
}

fn certificate(cert: String, key: String) -> Value {
    Value::Object(Rc::new(Certificate { cert, key }))
}

fn fake_cert(what: &str, key: Option<&str>) -> Value {
    certificate(
        fake_pem("CERTIFICATE", what),
        key.map_or_else(
            || fake_pem("RSA PRIVATE KEY", "RSA private key"),
            str::to_owned,
        ),
    )
}

/// A `[]interface{}` parameter (the IP and DNS lists).
fn check_list(v: &Value) -> Result<(), String> {
    match v {
        Value::List(_) | Value::Nil => Ok(()),
        other => Err(format!(
            "wrong type for value; expected []interface {{}}; got {}",
            super::go_type(other)
        )),
    }
}

fn check_ca(v: &Value) -> Result<(), String> {
    match v {
        Value::Object(o) if o.type_name() == "sprig.certificate" => Ok(()),
        other => Err(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            super::go_type(other)
        )),
    }
}

pub(crate) fn gen_ca(args: &[Value]) -> R {
    let [cn, days] = args_n("genCA", args)?;
    as_str(cn)?;
    as_int(days)?;
    Ok(fake_cert("CA certificate", None))
}

pub(crate) fn gen_ca_with_key(args: &[Value]) -> R {
    let [cn, days, key] = args_n("genCAWithKey", args)?;
    as_str(cn)?;
    as_int(days)?;
    Ok(fake_cert("CA certificate", Some(as_str(key)?)))
}

pub(crate) fn gen_self_signed_cert(args: &[Value]) -> R {
    let [cn, ips, dns, days] = args_n("genSelfSignedCert", args)?;
    as_str(cn)?;
    check_list(ips)?;
    check_list(dns)?;
    as_int(days)?;
    Ok(fake_cert("self-signed certificate", None))
}

pub(crate) fn gen_self_signed_cert_with_key(args: &[Value]) -> R {
    let [cn, ips, dns, days, key] = args_n("genSelfSignedCertWithKey", args)?;
    as_str(cn)?;
    check_list(ips)?;
    check_list(dns)?;
    as_int(days)?;
    Ok(fake_cert("self-signed certificate", Some(as_str(key)?)))
}

pub(crate) fn gen_signed_cert(args: &[Value]) -> R {
    let [cn, ips, dns, days, ca] = args_n("genSignedCert", args)?;
    as_str(cn)?;
    check_list(ips)?;
    check_list(dns)?;
    as_int(days)?;
    check_ca(ca)?;
    Ok(fake_cert("signed certificate", None))
}

pub(crate) fn gen_signed_cert_with_key(args: &[Value]) -> R {
    let [cn, ips, dns, days, ca, key] = args_n("genSignedCertWithKey", args)?;
    as_str(cn)?;
    check_list(ips)?;
    check_list(dns)?;
    as_int(days)?;
    check_ca(ca)?;
    Ok(fake_cert("signed certificate", Some(as_str(key)?)))
}

/// `buildCustomCert B64CERT B64KEY`: the decoded PEM texts.
pub(crate) fn build_custom_cert(args: &[Value]) -> R {
    let [cert, key] = args_n("buildCustomCert", args)?;
    let cert = base64_decode(as_str(cert)?)
        .map_err(|_| "unable to decode base64 certificate".to_owned())?;
    let key = base64_decode(as_str(key)?)
        .map_err(|_| "unable to decode base64 private key".to_owned())?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    if !cert.contains("-----BEGIN") {
        return Err("error parsing certificate: decoding failed".to_owned());
    }
    if !key.contains("-----BEGIN") {
        return Err("error parsing private key: decoding failed".to_owned());
    }
    Ok(certificate(cert, key))
}

/// The 32-byte AES key Sprig makes of a password: its bytes, zero-padded or cut.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (k, b) in key.iter_mut().zip(password.as_bytes()) {
        *k = *b;
    }
    key
}

/// `encryptAES PASSWORD TEXT`: AES-256-CBC with PKCS#7 padding, the IV first, base64. Sprig
/// draws a random IV; here it is all zeros, so the output is fixed (and still decrypts with
/// Helm's `decryptAES`).
pub(crate) fn encrypt_aes(args: &[Value]) -> R {
    use aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};
    let [password, text] = args_n("encryptAES", args)?;
    let (password, text) = (as_str(password)?, as_str(text)?);
    if text.is_empty() {
        return Ok(s(""));
    }
    check_len("encryptAES", text.len().saturating_mul(2))?;
    let cipher = aes::Aes256::new(GenericArray::from_slice(&aes_key(password)));
    let mut content = text.as_bytes().to_vec();
    let padding = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let mut out = vec![0u8; 16];
    let mut prev = [0u8; 16];
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for ((b, c), p) in block.iter_mut().zip(chunk).zip(prev.iter()) {
            *b = c ^ p;
        }
        let mut ga = GenericArray::from(block);
        cipher.encrypt_block(&mut ga);
        prev.copy_from_slice(&ga);
        out.extend_from_slice(&ga);
    }
    Ok(s(base64_encode(&out)))
}

/// `decryptAES PASSWORD BASE64`: Sprig's inverse of `encryptAES`.
pub(crate) fn decrypt_aes(args: &[Value]) -> R {
    use aes::cipher::{BlockDecrypt, KeyInit, generic_array::GenericArray};
    let [password, text] = args_n("decryptAES", args)?;
    let (password, text) = (as_str(password)?, as_str(text)?);
    if text.is_empty() {
        return Ok(s(""));
    }
    let crypt = base64_decode(text)?;
    let (iv, body) = crypt
        .split_at_checked(16)
        .ok_or_else(|| "runtime error: slice bounds out of range [:16]".to_owned())?;
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".to_owned());
    }
    let cipher = aes::Aes256::new(GenericArray::from_slice(&aes_key(password)));
    let mut prev: [u8; 16] = iv.try_into().map_err(|_| "bad IV".to_owned())?;
    let mut out = Vec::with_capacity(body.len());
    for chunk in body.chunks(16) {
        let mut ga = GenericArray::clone_from_slice(chunk);
        cipher.decrypt_block(&mut ga);
        for (g, p) in ga.iter().zip(prev.iter()) {
            out.push(g ^ p);
        }
        prev.copy_from_slice(chunk);
    }
    let pad = usize::from(*out.last().unwrap_or(&0));
    let keep = out.len().checked_sub(pad).ok_or_else(|| {
        format!(
            "runtime error: slice bounds out of range [:{}]",
            out.len() as i64 - pad as i64
        )
    })?;
    out.truncate(keep);
    Ok(s(String::from_utf8_lossy(&out).into_owned()))
}

const MAX_DERIVED: usize = 64;

thread_local! {
    static DERIVED: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Password templates of the Master Password algorithm (crypto.go `passwordTypeTemplates`).
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(c: char) -> &'static str {
    match c {
        'V' => "AEIOU",
        'C' => "BCDFGHJKLMNPQRSTVWXYZ",
        'v' => "aeiou",
        'c' => "bcdfghjklmnpqrstvwxyz",
        'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        'n' => "0123456789",
        'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
        'x' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => "",
    }
}

/// `derivePassword COUNTER TYPE PASSWORD USER SITE`: the Master Password algorithm (scrypt
/// N=32768 r=8 p=2 of the password salted with the user, then HMAC-SHA256 of the site).
pub(crate) fn derive_password(args: &[Value]) -> R {
    use hmac::{KeyInit, Mac};
    const SEED: &str = "com.lyndir.masterpassword";
    let [counter, kind, password, user, site] = args_n("derivePassword", args)?;
    let counter = u32::try_from(as_int(counter)?)
        .map_err(|_| "wrong type for value; expected uint32; got int".to_owned())?;
    let (kind, password, user, site) = (
        as_str(kind)?,
        as_str(password)?,
        as_str(user)?,
        as_str(site)?,
    );
    let Some(templates) = password_templates(kind) else {
        return Ok(s(format!("cannot find password template {kind}")));
    };
    // scrypt takes 32 MiB and a good fraction of a second: a template looping over it is
    // bounded by a per-thread cache of distinct inputs.
    let cache_key = format!("{counter}\0{kind}\0{password}\0{user}\0{site}");
    if let Some(hit) = DERIVED.with(|c| c.borrow().get(&cache_key).cloned()) {
        return Ok(s(hit));
    }
    if DERIVED.with(|c| c.borrow().len()) >= MAX_DERIVED {
        return Err(format!(
            "derivePassword: more than {MAX_DERIVED} distinct passwords derived in one run"
        ));
    }
    let mut salt = SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let params =
        scrypt::Params::new(15, 8, 2).map_err(|e| format!("failed to derive password: {e}"))?;
    let mut key = [0u8; 64];
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key)
        .map_err(|e| format!("failed to derive password: {e}"))?;
    let mut message = SEED.as_bytes().to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key)
        .map_err(|e| format!("failed to derive password: {e}"))?;
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let pick = |i: usize| usize::from(seed.get(i).copied().unwrap_or(0));
    let template = templates
        .get(pick(0) % templates.len())
        .copied()
        .unwrap_or_default();
    let mut out = String::new();
    for (i, c) in template.chars().enumerate() {
        let chars = template_characters(c).as_bytes();
        if let Some(b) = chars.get(pick(i + 1) % chars.len().max(1)) {
            out.push(char::from(*b));
        }
    }
    DERIVED.with(|c| c.borrow_mut().insert(cache_key, out.clone()));
    Ok(s(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, check_all, run};
    use crate::helm::value::Value;

    // Sprig v3.3.0 crypto_test.go: the deterministic parts (lengths, shapes, errors).
    #[test]
    fn sprig_crypto_tests() {
        check_all(&[
            (
                r#"{{ htpasswd "my:name" "pass" }}"#,
                "invalid username: my:name",
            ),
            (r#"{{ genPrivateKey "bogus" }}"#, "Unknown type bogus"),
            (r#"{{ uuidv4 }}"#, "00000000-0000-4000-8000-000000000000"),
            (r#"{{ randBytes 3 }}"#, "AAAA"),
        ]);
        assert!(
            run(r#"{{ genPrivateKey "rsa" }}"#).starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
        );
        assert!(run(r#"{{ genPrivateKey "ecdsa" }}"#).contains("EC PRIVATE KEY"));
        assert!(run(r#"{{ htpasswd "myUser" "myPassword" }}"#).starts_with("myUser:$2a$10$"));
        assert_eq!(run(r#"{{ bcrypt "x" }}"#).len(), 60);
        let ca = call("genCA", &[Value::str("foo"), Value::Int(365)]).unwrap();
        let Value::Object(o) = &ca else { panic!() };
        assert!(
            o.field("Cert")
                .unwrap()
                .go_string()
                .contains("BEGIN CERTIFICATE")
        );
        assert!(o.field("Key").unwrap().go_string().contains("KubewardFake"));
        let signed = call(
            "genSignedCert",
            &[
                Value::str("x"),
                Value::Nil,
                Value::list(vec![]),
                Value::Int(1),
                ca,
            ],
        )
        .unwrap();
        assert!(matches!(signed, Value::Object(_)));
        let custom = call(
            "buildCustomCert",
            &[
                Value::str("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="),
                Value::str("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo="),
            ],
        )
        .unwrap();
        let Value::Object(c) = custom else { panic!() };
        assert_eq!(
            c.field("Cert").unwrap().go_string(),
            "-----BEGIN CERTIFICATE-----\n"
        );
        assert_eq!(
            run(r#"{{ derivePassword 1 "nope" "p" "u" "s" }}"#),
            "cannot find password template nope"
        );
        assert!(call("decryptAES", &[Value::str("k"), Value::str("AAAA")]).is_err());
    }
}
