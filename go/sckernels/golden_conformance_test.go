package sckernels

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceEntry is one entry of parity/format_cases.txt or
// parity/format_mutants.txt (syntax: parity/conformance.py): a golden-file
// text and whether the strict readers accept it.
type conformanceEntry struct {
	data   []byte
	accept bool
	line   int
}

// unescapeEntry decodes `\n`, `\\` and `\xHH`.
func unescapeEntry(t *testing.T, text string) []byte {
	var out []byte
	for k := 0; k < len(text); k++ {
		if text[k] != '\\' {
			out = append(out, text[k])
			continue
		}
		switch {
		case k+1 < len(text) && text[k+1] == 'n':
			out = append(out, '\n')
			k++
		case k+1 < len(text) && text[k+1] == '\\':
			out = append(out, '\\')
			k++
		case k+3 < len(text) && text[k+1] == 'x':
			b, err := hex.DecodeString(text[k+2 : k+4])
			if err != nil {
				t.Fatalf("bad escape in %q", text)
			}
			out = append(out, b[0])
			k += 3
		default:
			t.Fatalf("bad escape in %q", text)
		}
	}
	return out
}

func readConformance(t *testing.T, name string) []conformanceEntry {
	raw, err := os.ReadFile(filepath.Join("..", "..", "parity", name))
	if err != nil {
		t.Fatal(err)
	}
	template := "{LINE}"
	var entries []conformanceEntry
	for k, line := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		if word == "template" {
			template = rest
			continue
		}
		_, body, _ := strings.Cut(rest, " ")
		if word != "accept" && word != "refuse" {
			t.Fatalf("%s:%d: bad entry", name, k+1)
		}
		data := unescapeEntry(t, strings.Replace(template, "{LINE}", body, 1))
		entries = append(entries, conformanceEntry{data, word == "accept", k + 1})
	}
	return entries
}

// This lenient reader reads every text the strict readers accept, and
// returns (never panics) on every text they refuse.
func TestReadsEveryTextTheStrictReadersAccept(t *testing.T) {
	for _, name := range []string{"format_cases.txt", "format_mutants.txt"} {
		accepted := 0
		for _, e := range readConformance(t, name) {
			_, err := ReadGolden(bytes.NewReader(e.data))
			if e.accept {
				accepted++
				if err != nil {
					t.Errorf("%s:%d: accepted by the strict readers, refused here: %v", name, e.line, err)
				}
			}
		}
		if accepted < 15 {
			t.Errorf("%s: only %d accepted entries", name, accepted)
		}
	}
}
