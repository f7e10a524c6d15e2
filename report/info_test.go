package report

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/acercate/acercate/hours"
)

// TestInfoRequestsHaveTheirOwnFigure: the information answers (legal aid,
// consulates, CURP...) are counted as such, from the rollups of a closed
// week and from the request log of the week so far, and every format
// names them — not lost among the menu's and the language's rows.
func TestInfoRequestsHaveTheirOwnFigure(t *testing.T) {
	db := openStore(t)
	s := &seeder{t: t, db: db}
	for i, topic := range []string{"legal", "consulate", "curp", "legal", "cards", "unhcr"} {
		s.req("p"+strconv.Itoa(i), mx(2026, 11, 18, 10+i, 0), "info", topic, "", "es", "", "")
		s.req("p"+strconv.Itoa(i), mx(2026, 11, 18, 10+i, 1), "menu", "show", "", "es", "", "")
	}
	s.req("q", mx(2026, 11, 23, 0, 30), "info", "modulo", "", "fr", "", "")
	now := mx(2026, 11, 23, 8, 0)
	for _, tc := range []struct {
		week       string
		info, reqs int
	}{{"last", 6, 12}, {"", 1, 1}} {
		w, err := hours.Parse(tc.week, now)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Build(context.Background(), db, w, now)
		if err != nil {
			t.Fatal(err)
		}
		if r.Totals.InfoRequests != tc.info || r.Totals.Requests != tc.reqs {
			t.Errorf("week %q: info %d of %d requests, want %d of %d", tc.week, r.Totals.InfoRequests, r.Totals.Requests, tc.info, tc.reqs)
		}
		if tc.week != "last" {
			continue
		}
		for _, f := range []struct{ format, lang, want string }{
			{"md", "es", "| Consultas de información (ayuda legal, consulados, trámites) | 6 |"},
			{"md", "en", "| Information requests (legal aid, consulates, paperwork) | 6 |"},
			{"txt", "fr", "Demandes d'information (aide juridique, consulats, démarches): 6"},
			{"txt", "ht", "Demann enfòmasyon (èd legal, konsila, demach): 6"},
			{"md", "pt", "| Pedidos de informação (ajuda jurídica, consulados, documentos) | 6 |"},
			{"csv", "es", "totals,info_requests,"},
			{"json", "es", `"info_requests": 6`},
			{"html", "es", "<td>Consultas de información (ayuda legal, consulados, trámites)</td><td>6</td>"},
		} {
			if got := render(t, r, f.format, f.lang); !strings.Contains(string(got), f.want) {
				t.Errorf("%s %s has no %q:\n%s", f.format, f.lang, f.want, got)
			}
		}
	}
}
