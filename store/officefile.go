package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// csvFile reads a file the office edits (the shelter directory, the
// reference directory): CSV, UTF-8, a header row naming the columns in any
// order, lines starting with # ignored. Problems are collected with their
// line so a whole file is reported in one pass.
type csvFile struct {
	cr      *csv.Reader
	columns []string
	header  []string
	col     map[string]int // column → index + 1
	// HeaderLine is the header's line in the file.
	HeaderLine int
	problems   []ShelterRowError
}

// newCSVFile reads the header of r and checks it names every column of
// columns once and nothing else. ok is false when the file cannot be read
// past it; its problems (or a read error) say why.
func newCSVFile(r io.Reader, columns []string, what string) (f *csvFile, ok bool, err error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	f = &csvFile{cr: cr, columns: columns, col: map[string]int{}}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			f.Add(1, "", "the file is empty: it needs a header row (%s) and at least one %s", strings.Join(columns, ","), what)
			return f, false, nil
		}
		return f, false, f.syntax(err)
	}
	f.header = header
	f.HeaderLine, _ = cr.FieldPos(0)
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case !shelterListHas(columns, h):
			f.Add(f.HeaderLine, "", "unknown column %q (the columns are %s)", h, strings.Join(columns, ","))
		case f.col[h] != 0:
			f.Add(f.HeaderLine, "", "column %q appears twice", h)
		default:
			f.col[h] = i + 1 // 0 means absent
		}
	}
	for _, c := range columns {
		if f.col[c] == 0 {
			f.Add(f.HeaderLine, "", "missing column %q", c)
		}
	}
	return f, len(f.problems) == 0, nil
}

// Add records a problem on a line (col "" for the whole row).
func (f *csvFile) Add(line int, col, format string, a ...any) {
	f.problems = append(f.problems, ShelterRowError{Line: line, Column: col, Msg: fmt.Sprintf(format, a...)})
}

// Problems are the problems found so far.
func (f *csvFile) Problems() []ShelterRowError { return f.problems }

// Next returns the next row's values by column (trimmed) and its line;
// io.EOF at the end. A row with the wrong number of fields is a problem
// and skipped; a CSV syntax error (an unclosed quote) is the file's last
// problem, returned as errStop: past it, lines cannot be told apart.
func (f *csvFile) Next() (get func(string) string, line int, err error) {
	for {
		rec, err := f.cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, f.syntax(err)
		}
		line, _ := f.cr.FieldPos(0)
		if len(rec) != len(f.header) {
			f.Add(line, "", "has %d fields, the header has %d (a comma inside a value needs \"quotes\")", len(rec), len(f.header))
			continue
		}
		return func(c string) string { return strings.TrimSpace(rec[f.col[c]-1]) }, line, nil
	}
}

// errStop ends the reading of a file whose problems say why.
var errStop = errors.New("stop")

func (f *csvFile) syntax(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		f.problems = append(f.problems, ShelterRowError{Line: pe.Line, Msg: pe.Err.Error()})
		return errStop
	}
	return err
}

// textCheck returns the check of a free-text column of a row: required or
// not, valid UTF-8, at most max characters, on one line.
func textCheck(get func(string) string, bad func(col, format string, a ...any)) func(c string, max int, required bool) string {
	return func(c string, max int, required bool) string {
		v := get(c)
		switch {
		case v == "" && required:
			bad(c, "is required")
		case !utf8.ValidString(v):
			bad(c, "is not valid UTF-8 (save the file as UTF-8)")
			return ""
		case utf8.RuneCountInString(v) > max:
			bad(c, "is longer than %d characters", max)
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			bad(c, "contains a control character (a line break?)")
		}
		return v
	}
}

// seedOnce runs write, in one transaction, in a database that never had
// the meta key seeded set (write sets it), so a shipped file reaches a new
// database once and never overwrites what the office imported since.
func (s *DB) seedOnce(ctx context.Context, seeded string, write func(*sql.Tx) error) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = ?`, seeded).Scan(&n); err != nil {
		return fmt.Errorf("seed %s: %w", seeded, err)
	}
	if n > 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Checked again inside the (immediate, so exclusive) transaction:
		// two processes opening a new database seed it once.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = ?`, seeded).Scan(&n); err != nil || n > 0 {
			return err
		}
		return write(tx)
	})
}

// tableIDs returns the ids a table holds (table is one of ours, never input).
func tableIDs(ctx context.Context, tx *sql.Tx, table string) (map[string]bool, error) {
	ids := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// removeUnseen deletes the rows of old that an import did not see, and
// says how many went.
func removeUnseen(ctx context.Context, tx *sql.Tx, table string, old, seen map[string]bool) (int, error) {
	n := 0
	for id := range old {
		if seen[id] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = ?`, id); err != nil {
			return n, fmt.Errorf("remove %q: %w", id, err)
		}
		n++
	}
	return n, nil
}
