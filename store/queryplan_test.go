package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acercate/acercate/secret"
)

// TestRequestLogQueriesUseIndexes keeps the request log's readers on an
// index: the log is the one table that grows by a row per event, and only
// the indexes its readers need are kept (migration 00120 dropped two that
// were prefixes of others), so a reader falling back to a scan of the
// table would show here, not as a slow report on a million rows.
func TestRequestLogQueriesUseIndexes(t *testing.T) {
	keys, _ := secret.Parse(secret.Generate())
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, q := range map[string]string{
		"report people":    peopleFromLog,
		"report requests":  requestsFromLog,
		"report channels":  channelsFromLog,
		"retention":        `SELECT count(*) FROM requests WHERE at < 1`,
		"erasure":          `UPDATE requests SET person = 'x' WHERE person = 'y'`,
		"duplicate update": `SELECT 1 FROM requests WHERE update_id = 1 AND person = 'y'`,
	} {
		rows, err := db.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, 1, 2)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.Contains(step, "requests") && !strings.Contains(step, "INDEX") {
				t.Errorf("%s scans the request log: %q", name, plan)
			}
		}
	}
}
