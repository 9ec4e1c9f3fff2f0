//! Chart archives (`.tgz`): gzip and tar read here, with Helm's checks and limits (helm/helm
//! v3.21.4 `pkg/chart/loader/archive.go` `LoadArchiveFiles`).
//!
//! Limits (Helm's): 100 MiB decompressed per chart, 5 MiB per file; plus ours: at most
//! [`MAX_ENTRIES`] tar entries. Names: the first path element (the chart's folder) is dropped,
//! `\` separators (archives packed on Windows) become `/`, and absolute names, names that leave
//! the folder (`..`) and Windows drive names are refused with Helm's messages.

/// Helm's `MaxDecompressedChartSize`.
pub(crate) const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize`.
pub(crate) const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Tar entries one archive may hold (ours: Helm has no bound).
pub(crate) const MAX_ENTRIES: usize = 100_000;

const BLOCK: usize = 512;

/// A file read from an archive: its name inside the chart (`templates/x.yaml`), its bytes (a
/// UTF-8 BOM dropped) and its name in the archive as written (`mychart/templates/x.yaml`).
#[derive(Debug, Clone)]
pub(crate) struct ArchiveFile {
    pub(crate) name: String,
    pub(crate) data: Vec<u8>,
    pub(crate) entry: String,
}

/// Whether `data` starts like a gzip stream (Helm's `isGZipApplication`).
pub(crate) fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b, 0x08])
}

/// Decompresses a gzip stream (its first member) to at most [`MAX_CHART_SIZE`] + one tar
/// trailer's worth of bytes. Errors are Go's `compress/gzip` texts.
pub(crate) fn gunzip(data: &[u8]) -> Result<Vec<u8>, String> {
    const HEADER: &str = "gzip: invalid header";
    let header = data.get(..10).ok_or_else(|| {
        if data.is_empty() {
            "EOF".to_owned()
        } else {
            "unexpected EOF".to_owned()
        }
    })?;
    if header.first() != Some(&0x1f) || header.get(1) != Some(&0x8b) || header.get(2) != Some(&8) {
        return Err(HEADER.to_owned());
    }
    let flags = header.get(3).copied().unwrap_or(0);
    let mut at = 10usize;
    let truncated = || "unexpected EOF".to_owned();
    if flags & 0x04 != 0 {
        // FEXTRA: two bytes of length, then the field.
        let lo = *data.get(at).ok_or_else(truncated)? as usize;
        let hi = *data.get(at + 1).ok_or_else(truncated)? as usize;
        at += 2 + (hi << 8 | lo);
    }
    for flag in [0x08, 0x10] {
        // FNAME, FCOMMENT: zero-terminated.
        if flags & flag != 0 {
            let rest = data.get(at..).ok_or_else(truncated)?;
            let end = rest.iter().position(|b| *b == 0).ok_or_else(truncated)?;
            at += end + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    let body = data.get(at..).ok_or_else(truncated)?;
    // A little more than the chart limit: the tar reader reports "larger than the maximum" with
    // Helm's message when the files themselves exceed it.
    let limit = (MAX_CHART_SIZE as usize) + 64 * BLOCK;
    miniz_oxide::inflate::decompress_to_vec_with_limit(body, limit).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
            format!("decompressed chart is larger than the maximum file size {MAX_CHART_SIZE}")
        }
        miniz_oxide::inflate::TINFLStatus::FailedCannotMakeProgress => "unexpected EOF".to_owned(),
        _ => "flate: corrupt input".to_owned(),
    })
}

/// Reads the files of a chart archive (gzip'd tar), as Helm's `LoadArchiveFiles`.
pub(crate) fn read_archive(data: &[u8]) -> Result<Vec<ArchiveFile>, String> {
    let tar = gunzip(data)?;
    read_tar(&tar)
}

/// The tar part of [`read_archive`].
pub(crate) fn read_tar(tar: &[u8]) -> Result<Vec<ArchiveFile>, String> {
    let mut files = Vec::new();
    let mut remaining = MAX_CHART_SIZE;
    let mut at = 0usize;
    let mut long_name: Option<String> = None;
    let mut pax_path: Option<String> = None;
    let mut entries = 0usize;
    loop {
        let Some(header) = tar.get(at..at + BLOCK) else {
            // Go's tar reader: a stream that ends without the two zero blocks ends cleanly only
            // at a block boundary with nothing left.
            if at == tar.len() {
                break;
            }
            return Err("unexpected EOF".to_owned());
        };
        if header.iter().all(|b| *b == 0) {
            break;
        }
        entries += 1;
        if entries > MAX_ENTRIES {
            return Err(format!("chart archive has more than {MAX_ENTRIES} entries"));
        }
        if !checksum_ok(header) {
            return Err("archive/tar: invalid tar header".to_owned());
        }
        let size = parse_size(header.get(124..136).unwrap_or_default())
            .ok_or_else(|| "archive/tar: invalid tar header".to_owned())?;
        let typeflag = header.get(156).copied().unwrap_or(b'0');
        let body_start = at + BLOCK;
        let padded = size.div_ceil(BLOCK as u64).saturating_mul(BLOCK as u64);
        let next = u64::try_from(body_start)
            .ok()
            .and_then(|s| s.checked_add(padded))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| "unexpected EOF".to_owned())?;
        let body = || -> Result<&[u8], String> {
            let end = usize::try_from(size)
                .ok()
                .and_then(|s| body_start.checked_add(s))
                .ok_or_else(|| "unexpected EOF".to_owned())?;
            tar.get(body_start..end)
                .ok_or_else(|| "unexpected EOF".to_owned())
        };
        match typeflag {
            // GNU long name: the next entry's name.
            b'L' => {
                if size > MAX_FILE_SIZE {
                    return Err("archive/tar: invalid tar header".to_owned());
                }
                let raw = body()?;
                long_name = Some(c_string(raw));
                at = next;
                continue;
            }
            // PAX extended header: `path=` names the next entry.
            b'x' => {
                if size > MAX_FILE_SIZE {
                    return Err("archive/tar: invalid tar header".to_owned());
                }
                pax_path = pax_record(body()?, "path");
                at = next;
                continue;
            }
            // PAX global header, GNU long link name: nothing Helm uses.
            b'g' | b'K' => {
                at = next;
                continue;
            }
            _ => {}
        }
        let name = match (pax_path.take(), long_name.take()) {
            (Some(p), _) => p,
            (None, Some(l)) => l,
            (None, None) => header_name(header),
        };
        let is_dir = typeflag == b'5' || (matches!(typeflag, b'0' | 0) && name.ends_with('/'));
        if is_dir {
            at = next;
            continue;
        }
        let n = chart_relative_name(&name)?;
        if size > remaining {
            return Err(format!(
                "decompressed chart is larger than the maximum file size {MAX_CHART_SIZE}"
            ));
        }
        if size > MAX_FILE_SIZE {
            return Err(format!(
                "decompressed chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            ));
        }
        // Links, devices and fifos have no data in a tar: Helm keeps them as empty files.
        let data: &[u8] = if matches!(typeflag, b'0' | 0 | b'7') {
            body()?
        } else {
            &[]
        };
        remaining -= data.len() as u64;
        if remaining == 0 {
            return Err(format!(
                "decompressed chart is larger than the maximum file size {MAX_CHART_SIZE}"
            ));
        }
        let data = data.strip_prefix(UTF8_BOM).unwrap_or(data).to_vec();
        files.push(ArchiveFile {
            name: n,
            data,
            entry: name,
        });
        at = next;
    }
    if files.is_empty() {
        return Err("no files in chart archive".to_owned());
    }
    Ok(files)
}

pub(crate) const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Helm's checks on an entry's name; the name inside the chart.
fn chart_relative_name(entry: &str) -> Result<String, String> {
    let delimiter = if entry.contains('\\') { '\\' } else { '/' };
    let mut parts = entry.split(delimiter);
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let n = rest.join("/");
    if n.starts_with('/') {
        return Err("chart illegally contains absolute paths".to_owned());
    }
    let n = clean_path(&n);
    if n == "." {
        return Err(format!(
            "chart illegally contains content outside the base directory: {entry:?}"
        ));
    }
    if n.starts_with("..") {
        return Err("chart illegally references parent directory".to_owned());
    }
    let bytes = n.as_bytes();
    if bytes.len() >= 3
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && bytes.get(2) == Some(&b'/')
    {
        return Err("chart contains illegally named files".to_owned());
    }
    if first == "Chart.yaml" {
        return Err("chart yaml not in base directory".to_owned());
    }
    Ok(n)
}

/// Go's `path.Clean`.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_owned();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

fn c_string(raw: &[u8]) -> String {
    let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
    String::from_utf8_lossy(raw.get(..end).unwrap_or(raw)).into_owned()
}

/// The entry name of a ustar/GNU header: `prefix/name` when the ustar prefix is set.
fn header_name(header: &[u8]) -> String {
    let name = c_string(header.get(0..100).unwrap_or_default());
    let magic = header.get(257..263).unwrap_or_default();
    if magic == b"ustar\0" {
        let prefix = c_string(header.get(345..500).unwrap_or_default());
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

/// An octal (or GNU base-256) size field.
fn parse_size(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        // Base-256: big-endian, first byte's top bit is the marker.
        let mut v: u64 = 0;
        for (i, b) in field.iter().enumerate() {
            let b = if i == 0 { b & 0x7f } else { *b };
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

fn checksum_ok(header: &[u8]) -> bool {
    let Some(stored) = header.get(148..156).and_then(parse_size) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, b) in header.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// A PAX record's value (`"%d key=value\n"` records).
fn pax_record(body: &[u8], key: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let mut found = None;
    for line in text.split('\n') {
        let Some((_, record)) = line.split_once(' ') else {
            continue;
        };
        if let Some((k, v)) = record.split_once('=')
            && k == key
        {
            found = Some(v.to_owned());
        }
    }
    found
}

/// Test helpers: builds tar archives and gzip streams.
#[cfg(test)]
pub(crate) mod build {
    use super::*;

    /// A tar with one regular-file entry per (name, body).
    pub(crate) fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, body) in entries {
            out.extend(header(name, body.len() as u64, b'0'));
            out.extend_from_slice(body);
            let pad = (BLOCK - body.len() % BLOCK) % BLOCK;
            out.extend(std::iter::repeat_n(0u8, pad));
        }
        out.extend(std::iter::repeat_n(0u8, 2 * BLOCK));
        out
    }

    pub(crate) fn header(name: &str, size: u64, typeflag: u8) -> Vec<u8> {
        let mut h = vec![0u8; BLOCK];
        let n = name.as_bytes();
        h[..n.len().min(100)].copy_from_slice(&n[..n.len().min(100)]);
        h[100..108].copy_from_slice(b"0000755\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        let s = format!("{size:011o}\0");
        h[124..136].copy_from_slice(s.as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = typeflag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    }

    /// A gzip stream of `data` (stored as deflate by miniz).
    pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        // CRC32 and size: unchecked by our reader (as by nothing here); zeros suffice.
        out.extend([0u8; 8]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    // helm/helm v3.21.4 pkg/chart/loader/load_test.go `TestLoadInvalidArchive`: each entry name
    // and the error Helm gives for it.
    #[test]
    fn illegal_names_are_refused() {
        let cases = [
            (
                "../../malformed-helm-test",
                "chart illegally references parent directory",
            ),
            (
                "/foo/../../malformed-helm-test",
                "chart illegally references parent directory",
            ),
            (
                "/../../malformed-helm-test",
                "chart illegally references parent directory",
            ),
            (
                "./../../malformed-helm-test",
                "chart illegally references parent directory",
            ),
            (
                "./.",
                "chart illegally contains content outside the base directory",
            ),
            (
                "/./.",
                "chart illegally contains content outside the base directory",
            ),
            (
                "missing-leading-slash",
                "chart illegally contains content outside the base directory",
            ),
            ("//foo", "chart illegally contains absolute paths"),
            ("///foo", "chart illegally contains absolute paths"),
            ("\\\\foo", "chart illegally contains absolute paths"),
            (
                "\\..\\..\\foo",
                "chart illegally references parent directory",
            ),
            ("\\.\\c:\\\\foo", "chart contains illegally named files"),
            ("/./c://foo", "chart contains illegally named files"),
            (
                "\\\\?\\Some\\windows\\magic",
                "chart illegally contains absolute paths",
            ),
        ];
        for (name, want) in cases {
            let archive = gzip(&tar(&[(name, b"hello: world")]));
            let err = read_archive(&archive).unwrap_err();
            assert!(err.contains(want), "{name}: {err}");
        }
        // A leading slash is only the (dropped) chart folder.
        let archive = gzip(&tar(&[("/missing-leading-slash", b"x")]));
        assert_eq!(
            read_archive(&archive).unwrap()[0].name,
            "missing-leading-slash"
        );
        let archive = gzip(&tar(&[("c:\\Chart.yaml", b"x")]));
        assert_eq!(read_archive(&archive).unwrap()[0].name, "Chart.yaml");
    }

    #[test]
    fn names_drop_the_chart_folder_and_bom() {
        let archive = gzip(&tar(&[
            ("mychart/Chart.yaml", b"\xEF\xBB\xBFname: x"),
            ("mychart\\templates\\a.yaml", b"a"),
        ]));
        let files = read_archive(&archive).unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[0].data, b"name: x");
        assert_eq!(files[1].name, "templates/a.yaml");
        assert_eq!(files[1].entry, "mychart\\templates\\a.yaml");
    }

    #[test]
    fn bad_gzip_and_empty_archives() {
        assert_eq!(
            read_archive(b"not a gzip stream").unwrap_err(),
            "gzip: invalid header"
        );
        assert_eq!(
            read_archive(&gzip(&tar(&[]))).unwrap_err(),
            "no files in chart archive"
        );
        let tar = tar(&[("c/Chart.yaml", b"name: x")]);
        let err = read_tar(&tar[..600]).unwrap_err();
        assert_eq!(err, "unexpected EOF");
    }

    // Hostile: a gzip bomb (110 MiB of zeros in a few hundred KiB) stops at the limit.
    #[test]
    fn gzip_bomb_is_bounded() {
        let zeros = vec![0u8; 110 * 1024 * 1024];
        let bomb = gzip(&zeros);
        drop(zeros);
        assert!(bomb.len() < 1024 * 1024);
        let err = read_archive(&bomb).unwrap_err();
        assert!(err.contains("larger than the maximum"), "{err}");
    }

    // Hostile: an entry claiming more than Helm's per-file limit.
    #[test]
    fn oversized_entries_are_refused() {
        let mut t = header("c/big", MAX_FILE_SIZE + 1, b'0');
        t.extend(vec![0u8; 1024]);
        let err = read_tar(&t).unwrap_err();
        assert!(
            err.contains("is larger than the maximum file size"),
            "{err}"
        );
    }

    #[test]
    fn clean_path_as_go() {
        for (p, want) in [
            ("", "."),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("a//b/./c/", "a/b/c"),
            ("./.", "."),
            ("../../x", "../../x"),
        ] {
            assert_eq!(clean_path(p), want, "{p}");
        }
    }
}
