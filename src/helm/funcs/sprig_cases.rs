//! Every single-template case of Masterminds/sprig v3.3.0's `*_test.go` (tables of
//! `template: expected output` and `runt(template, expected)` calls), extracted from the tests
//! at tag v3.3.0 (commit e708470d529a10ac1a3f02ab6fdd339b65958372): (test file, template,
//! expected output). `sprig_cases` runs them (see there for the ones that cannot pass here).

pub(super) const CASES: &[(&str, &str, &str)] = &[
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 1 "long" "password" "user" "example.com"}}"#,
        r#"ZedaFaxcZaso9*"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 2 "long" "password" "user" "example.com"}}"#,
        r#"Fovi2@JifpTupx"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 1 "maximum" "password" "user" "example.com"}}"#,
        r#"pf4zS1LjCg&LjhsZ7T2~"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 1 "medium" "password" "user" "example.com"}}"#,
        r#"ZedJuz8$"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 1 "basic" "password" "user" "example.com"}}"#,
        r#"pIS54PLs"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 1 "short" "password" "user" "example.com"}}"#,
        r#"Zed5"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{derivePassword 1 "pin" "password" "user" "example.com"}}"#,
        r#"6685"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{"abc" | sha512sum}}"#,
        r#"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{"abc" | sha256sum}}"#,
        r#"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{"abc" | sha1sum}}"#,
        r#"a9993e364706816aba3e25717850c26c9cd0d89d"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{"abc" | adler32sum}}"#,
        r#"38600999"#,
    ),
    (
        r#"crypto_test.go"#,
        r#"{{"plaintext" | encryptAES "secretkey" | decryptAES "secretkey"}}"#,
        r#"plaintext"#,
    ),
    (r#"date_test.go"#, r#"{{ htmlDate 0}}"#, r#"1970-01-01"#),
    (
        r#"date_test.go"#,
        r#"{{toDate "2006-01-02" "2017-12-31" | date "02/01/2006"}}"#,
        r#"31/12/2017"#,
    ),
    (r#"defaults_test.go"#, r#"{{ coalesce 1 }}"#, r#"1"#),
    (
        r#"defaults_test.go"#,
        r#"{{ coalesce "" 0 nil 2 }}"#,
        r#"2"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ coalesce "" 0 nil $two }}"#,
        r#"2"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ coalesce "" $two 0 0 0 }}"#,
        r#"2"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ coalesce "" $two 3 4 5 }}"#,
        r#"2"#,
    ),
    (r#"defaults_test.go"#, r#"{{ coalesce }}"#, r#"<no value>"#),
    (r#"defaults_test.go"#, r#"{{ all 1 }}"#, r#"true"#),
    (r#"defaults_test.go"#, r#"{{ all "" 0 nil 2 }}"#, r#"false"#),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ all "" 0 nil $two }}"#,
        r#"false"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ all "" $two 0 0 0 }}"#,
        r#"false"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ all "" $two 3 4 5 }}"#,
        r#"false"#,
    ),
    (r#"defaults_test.go"#, r#"{{ all }}"#, r#"true"#),
    (r#"defaults_test.go"#, r#"{{ any 1 }}"#, r#"true"#),
    (r#"defaults_test.go"#, r#"{{ any "" 0 nil 2 }}"#, r#"true"#),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ any "" 0 nil $two }}"#,
        r#"true"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $two := 2 }}{{ any "" $two 3 4 5 }}"#,
        r#"true"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ $zero := 0 }}{{ any "" $zero 0 0 0 }}"#,
        r#"false"#,
    ),
    (r#"defaults_test.go"#, r#"{{ any }}"#, r#"false"#),
    (r#"defaults_test.go"#, r#"{{"" | default "foo"}}"#, r#"foo"#),
    (r#"defaults_test.go"#, r#"{{default "foo" 234}}"#, r#"234"#),
    (
        r#"defaults_test.go"#,
        r#"{{default "foo" 2.34}}"#,
        r#"2.34"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ .Nothing | default "123" }}"#,
        r#"123"#,
    ),
    (r#"defaults_test.go"#, r#"{{ default "123" }}"#, r#"123"#),
    (
        r#"defaults_test.go"#,
        r#"{{if empty 1}}1{{else}}0{{end}}"#,
        r#"0"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{if empty 0}}1{{else}}0{{end}}"#,
        r#"1"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{if empty ""}}1{{else}}0{{end}}"#,
        r#"1"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{if empty 0.0}}1{{else}}0{{end}}"#,
        r#"1"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{if empty false}}1{{else}}0{{end}}"#,
        r#"1"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{true | ternary "foo" "bar"}}"#,
        r#"foo"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ternary "foo" "bar" true}}"#,
        r#"foo"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{false | ternary "foo" "bar"}}"#,
        r#"bar"#,
    ),
    (
        r#"defaults_test.go"#,
        r#"{{ternary "foo" "bar" false}}"#,
        r#"bar"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{ dict "foo" 1 "bar" 2 | keys | sortAlpha }}"#,
        r#"[bar foo]"#,
    ),
    (r#"dict_test.go"#, r#"{{ dict | keys }}"#, r#"[]"#),
    (
        r#"dict_test.go"#,
        r#"{{ keys (dict "foo" 1) (dict "bar" 2) (dict "bar" 3) | uniq | sortAlpha }}"#,
        r#"[bar foo]"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ pick $d "two" | len -}}"#,
        r#"1"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ pick $d "two" -}}"#,
        r#"map[two:222222]"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ pick $d "one" "two" | len -}}"#,
        r#"2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ pick $d "one" "two" "three" | len -}}"#,
        r#"2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict }}{{ pick $d "two" | len -}}"#,
        r#"0"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ omit $d "one" | len -}}"#,
        r#"1"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ omit $d "one" -}}"#,
        r#"map[two:222222]"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ omit $d "one" "two" | len -}}"#,
        r#"0"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" 222222 }}{{ omit $d "two" "three" | len -}}"#,
        r#"1"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict }}{{ omit $d "two" | len -}}"#,
        r#"0"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 }}{{ get $d "one" -}}"#,
        r#"1"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "one" 1 "two" "2" }}{{ get $d "two" -}}"#,
        r#"2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict }}{{ get $d "two" -}}"#,
        r#""#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" 1 "b" 2 }}{{ values $d | sortAlpha | join "," }}"#,
        r#"1,2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" "first" "b" 2 }}{{ values $d | sortAlpha | join "," }}"#,
        r#"2,first"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" 1 "b" 2 | deepCopy }}{{ values $d | sortAlpha | join "," }}"#,
        r#"1,2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" 1 "b" 2 | deepCopy }}{{ keys $d | sortAlpha | join "," }}"#,
        r#"a,b"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $one := dict "foo" (dict "bar" "baz") "qux" true -}}{{ deepCopy $one }}"#,
        r#"map[foo:map[bar:baz] qux:true]"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" 1 "b" 2 | mustDeepCopy }}{{ values $d | sortAlpha | join "," }}"#,
        r#"1,2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" 1 "b" 2 | mustDeepCopy }}{{ keys $d | sortAlpha | join "," }}"#,
        r#"a,b"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $one := dict "foo" (dict "bar" "baz") "qux" true -}}{{ mustDeepCopy $one }}"#,
        r#"map[foo:map[bar:baz] qux:true]"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" (dict "b" (dict "c" 1)) }}{{ dig "a" "b" "c" "" $d }}"#,
        r#"1"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{- $d := dict "a" (dict "b" (dict "c" 1)) }}{{ dig "a" "b" "z" "2" $d }}"#,
        r#"2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{ dict "a" 1 | dig "a" "" }}"#,
        r#"1"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{ dict "a" 1 | dig "z" "2" }}"#,
        r#"2"#,
    ),
    (
        r#"dict_test.go"#,
        r#"{{$t := dict "I" "shot" "the" "albatross"}}{{$t.the}} {{$t.I}}"#,
        r#"albatross shot"#,
    ),
    (
        r#"functions_linux_test.go"#,
        r#"{{ osBase "foo/bar" }}"#,
        r#"bar"#,
    ),
    (
        r#"functions_linux_test.go"#,
        r#"{{ osDir "foo/bar/baz" }}"#,
        r#"foo/bar"#,
    ),
    (
        r#"functions_linux_test.go"#,
        r#"{{ osIsAbs "/foo" }}"#,
        r#"true"#,
    ),
    (
        r#"functions_linux_test.go"#,
        r#"{{ osIsAbs "foo" }}"#,
        r#"false"#,
    ),
    (
        r#"functions_linux_test.go"#,
        r#"{{ osClean "/foo/../foo/../bar" }}"#,
        r#"/bar"#,
    ),
    (
        r#"functions_linux_test.go"#,
        r#"{{ osExt "/foo/bar/baz.txt" }}"#,
        r#".txt"#,
    ),
    (r#"functions_test.go"#, r#"{{env "FOO"}}"#, r#"bar"#),
    (
        r#"functions_test.go"#,
        r#"{{expandenv "Hello $FOO"}}"#,
        r#"Hello bar"#,
    ),
    (r#"functions_test.go"#, r#"{{ base "foo/bar" }}"#, r#"bar"#),
    (
        r#"functions_test.go"#,
        r#"{{ dir "foo/bar/baz" }}"#,
        r#"foo/bar"#,
    ),
    (r#"functions_test.go"#, r#"{{ isAbs "/foo" }}"#, r#"true"#),
    (r#"functions_test.go"#, r#"{{ isAbs "foo" }}"#, r#"false"#),
    (
        r#"functions_test.go"#,
        r#"{{ clean "/foo/../foo/../bar" }}"#,
        r#"/bar"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ ext "/foo/bar/baz.txt" }}"#,
        r#".txt"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ snakecase "FirstName" }}"#,
        r#"first_name"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ snakecase "HTTPServer" }}"#,
        r#"http_server"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ snakecase "NoHTTPS" }}"#,
        r#"no_https"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ snakecase "GO_PATH" }}"#,
        r#"go_path"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ snakecase "GO PATH" }}"#,
        r#"go_path"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ snakecase "GO-PATH" }}"#,
        r#"go_path"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ camelcase "http_server" }}"#,
        r#"HttpServer"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ camelcase "_camel_case" }}"#,
        r#"_CamelCase"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ camelcase "no_https" }}"#,
        r#"NoHttps"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ camelcase "_complex__case_" }}"#,
        r#"_Complex_Case_"#,
    ),
    (r#"functions_test.go"#, r#"{{ camelcase "all" }}"#, r#"All"#),
    (
        r#"functions_test.go"#,
        r#"{{ kebabcase "FirstName" }}"#,
        r#"first-name"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ kebabcase "HTTPServer" }}"#,
        r#"http-server"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ kebabcase "NoHTTPS" }}"#,
        r#"no-https"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ kebabcase "GO_PATH" }}"#,
        r#"go-path"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ kebabcase "GO PATH" }}"#,
        r#"go-path"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ kebabcase "GO-PATH" }}"#,
        r#"go-path"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ shuffle "Hello World" }}"#,
        r#"rldo HWlloe"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ regexQuoteMeta "1.2.3" }}"#,
        r#"1\.2\.3"#,
    ),
    (
        r#"functions_test.go"#,
        r#"{{ regexQuoteMeta "pretzel" }}"#,
        r#"pretzel"#,
    ),
    (
        r#"functions_windows_test.go"#,
        r#"{{ osBase "C:\\foo\\bar" }}"#,
        r#"bar"#,
    ),
    (
        r#"functions_windows_test.go"#,
        r#"{{ osDir "C:\\foo\\bar\\baz" }}"#,
        r#"C:\foo\bar"#,
    ),
    (
        r#"functions_windows_test.go"#,
        r#"{{ osIsAbs "C:\\foo" }}"#,
        r#"true"#,
    ),
    (
        r#"functions_windows_test.go"#,
        r#"{{ osClean "C:\\foo\\..\\foo\\..\\bar" }}"#,
        r#"C:\bar"#,
    ),
    (
        r#"functions_windows_test.go"#,
        r#"{{ osExt "C:\\foo\\bar\\baz.txt" }}"#,
        r#".txt"#,
    ),
    (
        r#"issue_188_test.go"#,
        r#"{{- $target := dict -}}
			{{- $one := dict "foo" (dict "bar" "baz") "qux" true -}}
			{{- $two := dict "foo" (dict "bar" "baz2") "qux" false -}}
			{{- mergeOverwrite $target $one | toString | trunc 0 }}{{ $__ := mergeOverwrite $target $two }}{{ $one }}"#,
        r#"map[foo:map[bar:baz2] qux:true]"#,
    ),
    (
        r#"issue_188_test.go"#,
        r#"{{- $target := dict -}}
			{{- $one := dict "foo" (dict "bar" "baz") "qux" true -}}
			{{- $two := dict "foo" (dict "bar" "baz2") "qux" false -}}
			{{- deepCopy $one | mergeOverwrite $target | toString | trunc 0 }}{{ $__ := mergeOverwrite $target $two }}{{ $one }}"#,
        r#"map[foo:map[bar:baz] qux:true]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3  }}{{ append $t 4 | len }}"#,
        r#"4"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3 4  }}{{ append $t 5 | join "-" }}"#,
        r#"1-2-3-4-5"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ append $t "qux" | join "-" }}"#,
        r#"foo-bar-baz-qux"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3  }}{{ mustAppend $t 4 | len }}"#,
        r#"4"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3 4  }}{{ mustAppend $t 5 | join "-" }}"#,
        r#"1-2-3-4-5"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ mustPush $t "qux" | join "-" }}"#,
        r#"foo-bar-baz-qux"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ tuple 1 2 3 4 5 6 7 | chunk 3 | len }}"#,
        r#"3"#,
    ),
    (r#"list_test.go"#, r#"{{ tuple | chunk 3 | len }}"#, r#"0"#),
    (
        r#"list_test.go"#,
        r#"{{ range ( tuple 1 2 3 4 5 6 7 8 9 | chunk 3 ) }}{{. | join "-"}}|{{end}}"#,
        r#"1-2-3|4-5-6|7-8-9|"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ range ( tuple 1 2 3 4 5 6 7 8 | chunk 3 ) }}{{. | join "-"}}|{{end}}"#,
        r#"1-2-3|4-5-6|7-8|"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ range ( tuple 1 2 | chunk 3 ) }}{{. | join "-"}}|{{end}}"#,
        r#"1-2|"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ tuple 1 2 3 4 5 6 7 | mustChunk 3 | len }}"#,
        r#"3"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ tuple | mustChunk 3 | len }}"#,
        r#"0"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ range ( tuple 1 2 3 4 5 6 7 8 9 | mustChunk 3 ) }}{{. | join "-"}}|{{end}}"#,
        r#"1-2-3|4-5-6|7-8-9|"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ range ( tuple 1 2 3 4 5 6 7 8 | mustChunk 3 ) }}{{. | join "-"}}|{{end}}"#,
        r#"1-2-3|4-5-6|7-8|"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ range ( tuple 1 2 | mustChunk 3 ) }}{{. | join "-"}}|{{end}}"#,
        r#"1-2|"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3  }}{{ prepend $t 0 | len }}"#,
        r#"4"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3 4  }}{{ prepend $t 0 | join "-" }}"#,
        r#"0-1-2-3-4"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ prepend $t "qux" | join "-" }}"#,
        r#"qux-foo-bar-baz"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3  }}{{ mustPrepend $t 0 | len }}"#,
        r#"4"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := tuple 1 2 3 4  }}{{ mustPrepend $t 0 | join "-" }}"#,
        r#"0-1-2-3-4"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ mustPrepend $t "qux" | join "-" }}"#,
        r#"qux-foo-bar-baz"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 2 3 | first }}"#, r#"1"#),
    (r#"list_test.go"#, r#"{{ list | first }}"#, r#"<no value>"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/src/" "foo/src/bar" -1 | first }}"#,
        r#"foo"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 2 3 | mustFirst }}"#, r#"1"#),
    (
        r#"list_test.go"#,
        r#"{{ list | mustFirst }}"#,
        r#"<no value>"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/src/" "foo/src/bar" -1 | mustFirst }}"#,
        r#"foo"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 2 3 | last }}"#, r#"3"#),
    (r#"list_test.go"#, r#"{{ list | last }}"#, r#"<no value>"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/src/" "foo/src/bar" -1 | last }}"#,
        r#"bar"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 2 3 | mustLast }}"#, r#"3"#),
    (
        r#"list_test.go"#,
        r#"{{ list | mustLast }}"#,
        r#"<no value>"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/src/" "foo/src/bar" -1 | mustLast }}"#,
        r#"bar"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | initial | len }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | initial | last }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | initial | first }}"#,
        r#"1"#,
    ),
    (r#"list_test.go"#, r#"{{ list | initial }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | initial }}"#,
        r#"[foo bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustInitial | len }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustInitial | last }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustInitial | first }}"#,
        r#"1"#,
    ),
    (r#"list_test.go"#, r#"{{ list | mustInitial }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | mustInitial }}"#,
        r#"[foo bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | rest | len }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | rest | last }}"#,
        r#"3"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | rest | first }}"#,
        r#"2"#,
    ),
    (r#"list_test.go"#, r#"{{ list | rest }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | rest }}"#,
        r#"[bar baz]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustRest | len }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustRest | last }}"#,
        r#"3"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustRest | first }}"#,
        r#"2"#,
    ),
    (r#"list_test.go"#, r#"{{ list | mustRest }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | mustRest }}"#,
        r#"[bar baz]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | reverse | first }}"#,
        r#"3"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | reverse | rest | first }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | reverse | last }}"#,
        r#"1"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 4 | reverse }}"#,
        r#"[4 3 2 1]"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 | reverse }}"#, r#"[1]"#),
    (r#"list_test.go"#, r#"{{ list | reverse }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | reverse }}"#,
        r#"[baz bar foo]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustReverse | first }}"#,
        r#"3"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustReverse | rest | first }}"#,
        r#"2"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustReverse | last }}"#,
        r#"1"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 4 | mustReverse }}"#,
        r#"[4 3 2 1]"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 | mustReverse }}"#, r#"[1]"#),
    (r#"list_test.go"#, r#"{{ list | mustReverse }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | mustReverse }}"#,
        r#"[baz bar foo]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 0 "" "hello" | compact }}"#,
        r#"[1 hello]"#,
    ),
    (r#"list_test.go"#, r#"{{ list "" "" | compact }}"#, r#"[]"#),
    (r#"list_test.go"#, r#"{{ list | compact }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo//bar" -1 | compact }}"#,
        r#"[foo bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 0 "" "hello" | mustCompact }}"#,
        r#"[1 hello]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list "" "" | mustCompact }}"#,
        r#"[]"#,
    ),
    (r#"list_test.go"#, r#"{{ list | mustCompact }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo//bar" -1 | mustCompact }}"#,
        r#"[foo bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 4 | uniq }}"#,
        r#"[1 2 3 4]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list "a" "b" "c" "d" | uniq }}"#,
        r#"[a b c d]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 1 1 1 2 2 2 2 | uniq }}"#,
        r#"[1 2]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list "foo" 1 1 1 1 "foo" "foo" | uniq }}"#,
        r#"[foo 1]"#,
    ),
    (r#"list_test.go"#, r#"{{ list | uniq }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/foo/bar" -1 | uniq }}"#,
        r#"[foo bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 4 | mustUniq }}"#,
        r#"[1 2 3 4]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list "a" "b" "c" "d" | mustUniq }}"#,
        r#"[a b c d]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 1 1 1 2 2 2 2 | mustUniq }}"#,
        r#"[1 2]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list "foo" 1 1 1 1 "foo" "foo" | mustUniq }}"#,
        r#"[foo 1]"#,
    ),
    (r#"list_test.go"#, r#"{{ list | mustUniq }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/foo/bar" -1 | mustUniq }}"#,
        r#"[foo bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ without (list 1 2 3 4) 1 }}"#,
        r#"[2 3 4]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ without (list "a" "b" "c" "d") "a" }}"#,
        r#"[b c d]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ without (list 1 1 1 1 2) 1 }}"#,
        r#"[2]"#,
    ),
    (r#"list_test.go"#, r#"{{ without (list) 1 }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ without (list 1 2 3) }}"#,
        r#"[1 2 3]"#,
    ),
    (r#"list_test.go"#, r#"{{ without list }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ without (regexSplit "/" "foo/bar/baz" -1 ) "foo" }}"#,
        r#"[bar baz]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustWithout (list 1 2 3 4) 1 }}"#,
        r#"[2 3 4]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustWithout (list "a" "b" "c" "d") "a" }}"#,
        r#"[b c d]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustWithout (list 1 1 1 1 2) 1 }}"#,
        r#"[2]"#,
    ),
    (r#"list_test.go"#, r#"{{ mustWithout (list) 1 }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ mustWithout (list 1 2 3) }}"#,
        r#"[1 2 3]"#,
    ),
    (r#"list_test.go"#, r#"{{ mustWithout list }}"#, r#"[]"#),
    (
        r#"list_test.go"#,
        r#"{{ mustWithout (regexSplit "/" "foo/bar/baz" -1 ) "foo" }}"#,
        r#"[bar baz]"#,
    ),
    (r#"list_test.go"#, r#"{{ list 1 2 3 | has 1 }}"#, r#"true"#),
    (r#"list_test.go"#, r#"{{ list 1 2 3 | has 4 }}"#, r#"false"#),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | has "bar" }}"#,
        r#"true"#,
    ),
    (r#"list_test.go"#, r#"{{ has "bar" nil }}"#, r#"false"#),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustHas 1 }}"#,
        r#"true"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ list 1 2 3 | mustHas 4 }}"#,
        r#"false"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ regexSplit "/" "foo/bar/baz" -1 | mustHas "bar" }}"#,
        r#"true"#,
    ),
    (r#"list_test.go"#, r#"{{ mustHas "bar" nil }}"#, r#"false"#),
    (
        r#"list_test.go"#,
        r#"{{ slice (list 1 2 3) }}"#,
        r#"[1 2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ slice (list 1 2 3) 0 1 }}"#,
        r#"[1]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ slice (list 1 2 3) 1 3 }}"#,
        r#"[2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ slice (list 1 2 3) 1 }}"#,
        r#"[2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ slice (regexSplit "/" "foo/bar/baz" -1) 1 2 }}"#,
        r#"[bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustSlice (list 1 2 3) }}"#,
        r#"[1 2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustSlice (list 1 2 3) 0 1 }}"#,
        r#"[1]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustSlice (list 1 2 3) 1 3 }}"#,
        r#"[2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustSlice (list 1 2 3) 1 }}"#,
        r#"[2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ mustSlice (regexSplit "/" "foo/bar/baz" -1) 1 2 }}"#,
        r#"[bar]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ concat (list 1 2 3) }}"#,
        r#"[1 2 3]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ concat (list 1 2 3) (list 4 5) }}"#,
        r#"[1 2 3 4 5]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ concat (list 1 2 3) (list 4 5) (list) }}"#,
        r#"[1 2 3 4 5]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ concat (list 1 2 3) (list 4 5) (list nil) }}"#,
        r#"[1 2 3 4 5 <nil>]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{ concat (list 1 2 3) (list 4 5) (list ( list "foo" ) ) }}"#,
        r#"[1 2 3 4 5 [foo]]"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{$t := tuple 1 "a" "foo"}}{{index $t 2}}{{index $t 0 }}{{index $t 1}}"#,
        r#"foo1a"#,
    ),
    (
        r#"list_test.go"#,
        r#"{{$t := list 1 "a" "foo"}}{{index $t 2}}{{index $t 0 }}{{index $t 1}}"#,
        r#"foo1a"#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := until 5}}{{$i}}{{$e}}{{end}}"#,
        r#"0011223344"#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := until -5}}{{$i}}{{$e}} {{end}}"#,
        r#"00 1-1 2-2 3-3 4-4 "#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 0 5 1}}{{$i}}{{$e}}{{end}}"#,
        r#"0011223344"#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 3 6 1}}{{$i}}{{$e}}{{end}}"#,
        r#"031425"#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 0 -10 -2}}{{$i}}{{$e}} {{end}}"#,
        r#"00 1-2 2-4 3-6 4-8 "#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 3 0 1}}{{$i}}{{$e}}{{end}}"#,
        r#""#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 3 99 0}}{{$i}}{{$e}}{{end}}"#,
        r#""#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 3 99 -1}}{{$i}}{{$e}}{{end}}"#,
        r#""#,
    ),
    (
        r#"numeric_test.go"#,
        r#"{{range $i, $e := untilStep 3 0 0}}{{$i}}{{$e}}{{end}}"#,
        r#""#,
    ),
    (r#"numeric_test.go"#, r#"{{seq 0 1 3}}"#, r#"0 1 2 3"#),
    (r#"numeric_test.go"#, r#"{{seq 0 3 10}}"#, r#"0 3 6 9"#),
    (r#"numeric_test.go"#, r#"{{seq 3 3 2}}"#, r#""#),
    (r#"numeric_test.go"#, r#"{{seq 3 -3 2}}"#, r#"3"#),
    (r#"numeric_test.go"#, r#"{{seq}}"#, r#""#),
    (r#"numeric_test.go"#, r#"{{seq 0 4}}"#, r#"0 1 2 3 4"#),
    (r#"numeric_test.go"#, r#"{{seq 5}}"#, r#"1 2 3 4 5"#),
    (
        r#"numeric_test.go"#,
        r#"{{seq -5}}"#,
        r#"1 0 -1 -2 -3 -4 -5"#,
    ),
    (r#"numeric_test.go"#, r#"{{seq 0}}"#, r#"1 0"#),
    (r#"numeric_test.go"#, r#"{{seq 0 1 2 3}}"#, r#""#),
    (r#"numeric_test.go"#, r#"{{seq 0 -4}}"#, r#"0 -1 -2 -3 -4"#),
    (
        r#"numeric_test.go"#,
        r#"{{ biggest 1 2 3 345 5 6 7}}"#,
        r#"345"#,
    ),
    (r#"numeric_test.go"#, r#"{{ max 345}}"#, r#"345"#),
    (
        r#"numeric_test.go"#,
        r#"{{ maxf 1 2 3 345.7 5 6 7}}"#,
        r#"345.7"#,
    ),
    (r#"numeric_test.go"#, r#"{{ max 345 }}"#, r#"345"#),
    (r#"numeric_test.go"#, r#"{{ min 1 2 3 345 5 6 7}}"#, r#"1"#),
    (r#"numeric_test.go"#, r#"{{ min 345}}"#, r#"345"#),
    (
        r#"numeric_test.go"#,
        r#"{{ minf 1.4 2 3 345.6 5 6 7}}"#,
        r#"1.4"#,
    ),
    (r#"numeric_test.go"#, r#"{{ minf 345 }}"#, r#"345"#),
    (r#"numeric_test.go"#, r#"{{ 3 | add1 }}"#, r#"4"#),
    (r#"numeric_test.go"#, r#"{{ 3.4 | add1f }}"#, r#"4.4"#),
    (r#"numeric_test.go"#, r#"{{ 3 | add 1 2}}"#, r#"6"#),
    (r#"numeric_test.go"#, r#"{{ 3 | addf 1.5 2.2}}"#, r#"6.7"#),
    (r#"numeric_test.go"#, r#"{{ 4 | div 5 }}"#, r#"1"#),
    (r#"numeric_test.go"#, r#"{{ 2 | divf 5 4 }}"#, r#"0.625"#),
    (r#"numeric_test.go"#, r#"{{ 1 | mul "2" 3 "4"}}"#, r#"24"#),
    (
        r#"numeric_test.go"#,
        r#"{{ 1.2 | mulf "2.4" 10 "4"}}"#,
        r#"115.2"#,
    ),
    (r#"numeric_test.go"#, r#"{{ 3 | sub 14 }}"#, r#"11"#),
    (r#"numeric_test.go"#, r#"{{ 3 | subf 4.5 1 }}"#, r#"0.5"#),
    (
        r#"semver_test.go"#,
        r#"{{ semverCompare "1.2.3" "1.2.3" }}"#,
        r#"true"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ semverCompare "^1.2.0" "1.2.3" }}"#,
        r#"true"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ semverCompare "^1.2.0" "2.2.3" }}"#,
        r#"false"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ $s := semver "1.2.3-beta.1+c0ff33" }}{{ $s.Prerelease }}"#,
        r#"beta.1"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ $s := semver "1.2.3-beta.1+c0ff33" }}{{ $s.Major}}"#,
        r#"1"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ semver "1.2.3" | (semver "1.2.3").Compare }}"#,
        r#"0"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ semver "1.2.3" | (semver "1.3.3").Compare }}"#,
        r#"1"#,
    ),
    (
        r#"semver_test.go"#,
        r#"{{ semver "1.4.3" | (semver "1.2.3").Compare }}"#,
        r#"-1"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ list "c" "a" "b" | sortAlpha | join "" }}"#,
        r#"abc"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ list 2 1 4 3 | sortAlpha | join "" }}"#,
        r#"1234"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{abbrev 5 "hello world"}}"#,
        r#"he..."#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{abbrevboth 5 10 "1234 5678 9123"}}"#,
        r#"...5678..."#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{nospace "h e l l o "}}"#,
        r#"hello"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{untitle "First Try"}}"#,
        r#"first try"#,
    ),
    (r#"strings_test.go"#, r#"{{initials "First Try"}}"#, r#"FT"#),
    (
        r#"strings_test.go"#,
        r#"{{wrap 5 "Hello World"}}"#,
        r#"Hello
World"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{wrapWith 5 "\t" "Hello World"}}"#,
        r#"Hello	World"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{"fooo" | substr 0 3 }}"#,
        r#"foo"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{"foo" | substr 0 10 }}"#,
        r#"foo"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ "foooooo" | trunc 3 }}"#,
        r#"foo"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ "baaaaaar" | trunc -3 }}"#,
        r#"aar"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ "baaaaaar" | trunc -999 }}"#,
        r#"baaaaaar"#,
    ),
    (r#"strings_test.go"#, r#"{{ "baaaaaz" | trunc 0 }}"#, r#""#),
    (
        r#"strings_test.go"#,
        r#"{{quote "a" "b" "c"}}"#,
        r#""a" "b" "c""#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{quote "\"a\"" "b" "c"}}"#,
        r#""\"a\"" "b" "c""#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{quote 1 2 3 }}"#,
        r#""1" "2" "3""#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{squote "a" "b" "c"}}"#,
        r#"'a' 'b' 'c'"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{squote 1 2 3 }}"#,
        r#"'1' '2' '3'"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{$v := "foo$bar$baz" | split "$"}}{{$v._0}}"#,
        r#"foo"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{$v := "foo$bar$baz" | splitn "$" 2}}{{$v._0}}"#,
        r#"foo"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{$b := "b"}}{{"c" | cat "a" $b}}"#,
        r#"a b c"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{indent 4 "a\nb\nc"}}"#,
        r#"    a
    b
    c"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{nindent 4 "a\nb\nc"}}"#,
        r#"
    a
    b
    c"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{"I Am Henry VIII" | replace " " "-"}}"#,
        r#"I-Am-Henry-VIII"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{$num := len "two"}}{{$num}} {{$num | plural "1 char" "chars"}}"#,
        r#"3 chars"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{len "t" | plural "cheese" "%d chars"}}"#,
        r#"cheese"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ tuple "a" "b" "c" | join "-" }}"#,
        r#"a-b-c"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ tuple 1 2 3 | join "-" }}"#,
        r#"1-2-3"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ toString 1 | kindOf }}"#,
        r#"string"#,
    ),
    (
        r#"strings_test.go"#,
        r#"{{ $s := list 1 2 3 | toStrings }}{{ index $s 1 | kindOf }}"#,
        r#"string"#,
    ),
    (
        r#"url_test.go"#,
        r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "proto") }}"#,
        r#"proto://host:80/path?query#fragment"#,
    ),
    (
        r#"url_test.go"#,
        r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "scheme" "proto" "userinfo" "ASDJKJSD") }}"#,
        r#"proto://ASDJKJSD@host:80/path#fragment"#,
    ),
];
