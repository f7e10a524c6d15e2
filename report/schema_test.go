package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/acercate/acercate/hours"
)

// documented reads the field table of docs/weekly-report.md: path → type.
func documented(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../docs/weekly-report.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, " | ")
		if len(cells) < 3 {
			t.Fatalf("bad table row %q", line)
		}
		path := strings.Trim(strings.TrimPrefix(cells[0], "| "), "`")
		out[path] = strings.ReplaceAll(cells[1], `\|`, "|")
	}
	return out
}

// fields flattens a decoded JSON value into path → type, arrays as "[]"
// and the three segment lists as "segments.*".
func fields(v any, path string, out map[string]map[string]bool) {
	add := func(typ string) {
		if out[path] == nil {
			out[path] = map[string]bool{}
		}
		out[path][typ] = true
	}
	switch x := v.(type) {
	case map[string]any:
		if path != "" && !strings.HasSuffix(path, "[]") {
			add("object")
		}
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			fields(e, p, out)
		}
	case []any:
		add("array")
		elem := path + "[]"
		if strings.HasPrefix(path, "segments.") {
			elem = "segments.*[]"
		}
		for _, e := range x {
			fields(e, elem, out)
		}
	case string:
		add("string")
	case bool:
		add("boolean")
	case nil:
		add("null")
	case float64:
		if x == float64(int64(x)) && !strings.HasSuffix(path, "_seconds") {
			add("integer")
		} else {
			add("number")
		}
	}
}

func TestJSONMatchesDocumentedSchema(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	db := seedWeek47(t)
	now := mx(2026, 11, 23, 8, 0)
	got := map[string]map[string]bool{}
	// A full week (every list filled, times set) and an empty one (nulls).
	for _, w := range []hours.Week{{Year: 2026, Num: 47}, {Year: 2026, Num: 40}} {
		r, err := Build(context.Background(), db, w, now)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		fields(v, "", got)
		if v.(map[string]any)["schema"] != float64(1) {
			t.Fatalf("schema = %v", v.(map[string]any)["schema"])
		}
	}
	doc := documented(t)
	var paths []string
	for p := range got {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		typ, ok := doc[p]
		if !ok {
			t.Errorf("%s is written but not documented in docs/weekly-report.md", p)
			continue
		}
		for g := range got[p] {
			if !strings.Contains("|"+typ+"|", "|"+g+"|") {
				t.Errorf("%s is %s, documented as %s", p, g, typ)
			}
		}
	}
	for p := range doc {
		if got[p] == nil {
			t.Errorf("%s is documented but never written", p)
		}
	}
}
