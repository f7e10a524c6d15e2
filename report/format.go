package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// Formats are the formats Write knows.
var Formats = []string{"md", "csv", "json", "html"}

// Write renders r in format (md, csv, json or html) to w.
func Write(w io.Writer, r *Report, format string, l Labels) error {
	switch format {
	case "md", "markdown":
		return writeMarkdown(w, l.view(r))
	case "csv":
		return writeCSV(w, r, l.view(r))
	case "json":
		return WriteJSON(w, r)
	case "html":
		return htmlPage.Execute(w, struct {
			Lang string
			view
		}{l.Lang(), l.view(r)})
	}
	return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the report in its documented schema
// (docs/weekly-report.md), with exact counts.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func writeMarkdown(w io.Writer, v view) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", v.Title, v.Period)
	if v.Partial != "" {
		fmt.Fprintf(&b, "\n%s\n", v.Partial)
	}
	if v.Empty != "" {
		fmt.Fprintf(&b, "\n**%s**\n", v.Empty)
	}
	for _, t := range v.Tables {
		fmt.Fprintf(&b, "\n## %s\n\n", t.Title)
		if t.Note != "" {
			fmt.Fprintf(&b, "%s\n\n", t.Note)
		}
		if len(t.Rows) == 0 {
			continue
		}
		b.WriteString("| " + strings.Join(mdEscape(t.Head), " | ") + " |\n|")
		for i := range t.Head {
			if i == 0 {
				b.WriteString(" --- |")
			} else {
				b.WriteString(" ---: |")
			}
		}
		b.WriteString("\n")
		for _, r := range t.Rows {
			b.WriteString("| " + strings.Join(mdEscape(r.Cells), " | ") + " |\n")
		}
	}
	fmt.Fprintf(&b, "\n_%s_\n", v.Small)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps a name the office typed (a campaign's) from breaking a
// table or turning into markup.
func mdEscape(cells []string) []string {
	out := make([]string, len(cells))
	r := strings.NewReplacer("|", `\|`, "\n", " ", "*", `\*`, "_", `\_`, "<", "&lt;", "`", "\\`", "[", `\[`)
	for i, c := range cells {
		if c == "<5" {
			out[i] = c
			continue
		}
		out[i] = r.Replace(c)
	}
	return out
}

// writeCSV writes one figure per line (week, section, key, item, metric,
// value) so a spreadsheet can pivot it: week, section, key and metric are
// stable ids in every language, item the row's name in the report's
// language; values follow the "<5" rule.
func writeCSV(w io.Writer, r *Report, v view) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"week", "section", "key", "item", "metric", "value"}); err != nil {
		return err
	}
	for _, t := range v.Tables {
		for _, row := range t.Rows {
			for i := 1; i < len(row.Cells) && i < len(t.Metrics); i++ {
				if err := cw.Write([]string{r.Week, t.ID, row.Key, csvSafe(row.Cells[0]), t.Metrics[i], row.Cells[i]}); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from running a name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

var htmlPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; }
td + td, th + th { text-align: right; }
th { background: #f2f2f2; }
.note { color: #555; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Period}}</p>
{{- if .Partial}}
<p class="note">{{.Partial}}</p>
{{- end}}
{{- if .Empty}}
<p><strong>{{.Empty}}</strong></p>
{{- end}}
{{- range .Tables}}
<h2>{{.Title}}</h2>
{{- if .Note}}
<p class="note">{{.Note}}</p>
{{- end}}
{{- if .Rows}}
<table>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{- range .Rows}}
<tr>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</table>
{{- end}}
{{- end}}
<p class="note"><em>{{.Small}}</em></p>
</body>
</html>
`))

// Text is the summary sent to the coordinators' Telegram chat: the
// headline figures, escalations, the top campaigns and the goals, under
// Telegram's 4096-character limit.
func Text(r *Report, l Labels) string {
	var b strings.Builder
	fmt.Fprintf(&b, "📊 %s\n%s\n", l.T("report.title", "Week", r.Week), l.T("report.period", "From", day(r.From), "To", lastDay(r)))
	if r.Empty {
		fmt.Fprintf(&b, "\n%s\n", l.T("report.empty"))
	}
	cur, prev := r.shown, r.shownBefore
	b.WriteString("\n")
	for _, k := range totalKeys {
		if k == "returning_people" {
			continue
		}
		c, p := cur.total[k], prev.total[k]
		fmt.Fprintf(&b, "• %s: %s (%s)\n", l.T("report.total."+k), cur.g.text(c), change(cur.g, c, prev.g, p))
	}
	e := r.Escalations
	if e.Available && !r.Empty {
		median, p90 := cur.firstResponse(l, e)
		fmt.Fprintf(&b, "\n%s: %s %s · %s %s · %s %s\n", l.T("report.section.escalations"),
			l.T("report.esc.opened"), cur.g.text(cur.total["escalations_opened"]), l.T("report.esc.answered"), cur.g.text(cur.answered),
			l.T("report.esc.closed"), cur.g.text(cur.closed))
		fmt.Fprintf(&b, "%s: %s · %s: %s\n", l.T("report.esc.median"), median, l.T("report.esc.p90"), p90)
	}
	if !r.Empty && len(r.Channels) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l.T("report.section.channel"))
		for _, row := range l.channelsTable(r).Rows {
			fmt.Fprintf(&b, "• %s: %s %s · %s %s\n", row.Cells[0], row.Cells[1], strings.ToLower(l.T("report.col.people")),
				row.Cells[2], strings.ToLower(l.T("report.col.requests")))
		}
	}
	if top := topSegments(r.Segments.Campaign, 5); len(top) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l.T("report.section.campaign"))
		for _, i := range top {
			s := r.Segments.Campaign[i]
			fmt.Fprintf(&b, "• %s: %s %s\n", l.segmentName("campaign", s), cur.g.text(cur.seg["campaign"][i][0]), strings.ToLower(l.T("report.col.people")))
		}
	}
	fmt.Fprintf(&b, "\n%s:\n", l.T("report.section.goals", "Year", goalYear(r)))
	for _, row := range l.goalsTable(r).Rows {
		fmt.Fprintf(&b, "• %s: %s / %s (%s)\n", row.Cells[0], row.Cells[1], row.Cells[2], row.Cells[3])
	}
	fmt.Fprintf(&b, "\n%s", l.T("report.small"))
	s := b.String()
	if len([]rune(s)) > 4000 {
		s = string([]rune(s)[:4000]) + "…"
	}
	return s
}

// topSegments are the indexes of the n segments with most people,
// without "none".
func topSegments(s []Segment, n int) []int {
	var out []int
	for i, g := range s {
		if g.Key != "" && len(out) < n {
			out = append(out, i)
		}
	}
	return out
}

func goalYear(r *Report) int {
	if len(r.Goals) > 0 {
		return r.Goals[0].Year
	}
	return 0
}
