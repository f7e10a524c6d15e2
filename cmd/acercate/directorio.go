package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

const directorioUsage = `usage:
  acercate directorio import FILE   replace the reference directory with FILE (CSV; - reads stdin)
  acercate directorio list          show the directory: kind, place, status, confirmed or the source's date
  acercate directorio export        write the directory as CSV, to edit and import (audit-logged)`

// runDirectorio is `acercate directorio ...`: the office's tools for the
// reference directory (consulates, SRE lines, search commissions, Casa
// Chiapas, municipal contacts, legal aid), on the database at ACERCATE_DB.
func runDirectorio(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 {
		return usagef("%s", directorioUsage)
	}
	sub, args := args[0], args[1:]
	want := map[string]int{"import": 1, "list": 0, "export": 0}
	if n, ok := want[sub]; !ok || len(args) != n {
		return usagef("%s", directorioUsage)
	}
	var list []flows.DirectoryEntry
	if sub == "import" {
		// The file is read and checked before the database is touched.
		var err error
		if list, err = readDirectoryFile(env, args[0]); err != nil {
			return err
		}
	}
	// Only an import may create the database.
	db, err := openDB(ctx, cfg, sub != "import")
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "import":
		res, err := db.ImportDirectory(ctx, list)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %d entries: %d new, %d updated, %d removed\n", len(list), res.Added, res.Updated, res.Removed)
	case "list":
		list, err := db.ListDirectory(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tPLACE\tSTATUS\tCHECKED\tNAME")
		for _, e := range list {
			checked := checkedText(e.Confirmed, e.ConfirmedBy, e.SourceDate)
			place := e.Place
			if place == "" {
				place = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Kind, place, e.Status, checked, e.Name)
		}
		return tw.Flush()
	case "export":
		list, err := db.ListDirectory(ctx)
		if err != nil {
			return err
		}
		if err := db.Audit(ctx, store.AuditEntry{Actor: cfg.Operator, Action: "directorio.export",
			Detail: "format=csv"}); err != nil {
			return err
		}
		return store.WriteDirectory(env.Stdout, list)
	}
	return nil
}

// readDirectoryFile reads and checks a directory file, printing every
// problem with its line.
func readDirectoryFile(env *Env, path string) ([]flows.DirectoryEntry, error) {
	return readOfficeFile(env, path, func(r io.Reader) ([]flows.DirectoryEntry, error) {
		return store.ParseDirectory(r, store.DirectoryParseOptions{NotAfter: time.Now().Add(24 * time.Hour)})
	})
}
