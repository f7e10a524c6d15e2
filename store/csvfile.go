package store

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
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
