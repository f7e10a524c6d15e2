package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

const alberguesUsage = `usage:
  acercate albergues import FILE                     replace the shelter directory with FILE (CSV; - reads stdin)
  acercate albergues list                            show the directory with each shelter's status
  acercate albergues export                          write the directory as CSV, to edit and import
  acercate albergues status ID lleno|abierto|cerrado set a shelter's status as of now`

// statusWords are the words staff type for a status, in Spanish and English.
var statusWords = map[string]string{
	"abierto": flows.StatusOpen, "open": flows.StatusOpen,
	"lleno": flows.StatusFull, "full": flows.StatusFull,
	"cerrado": flows.StatusClosed, "closed": flows.StatusClosed,
}

// runAlbergues is `acercate albergues ...`: the office's tools for the
// shelter directory, on the database at ACERCATE_DB.
func runAlbergues(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 {
		return usagef("%s", alberguesUsage)
	}
	sub, args := args[0], args[1:]
	want := map[string]int{"import": 1, "list": 0, "export": 0, "status": 2}
	n, ok := want[sub]
	if !ok || len(args) != n {
		return usagef("%s", alberguesUsage)
	}
	var status string
	if sub == "status" {
		if status = statusWords[strings.ToLower(args[1])]; status == "" {
			return usagef("status %q: use lleno, abierto or cerrado", args[1])
		}
	}
	var list []flows.Shelter
	if sub == "import" {
		// The file is read and checked before the database is touched.
		var err error
		if list, err = readShelterFile(env, args[0]); err != nil {
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
		res, err := db.ImportShelters(ctx, list)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %d shelters: %d new, %d updated, %d removed\n", len(list), res.Added, res.Updated, res.Removed)
	case "list":
		return listShelters(ctx, env, db)
	case "export":
		list, err := db.ListShelters(ctx)
		if err != nil {
			return err
		}
		if err := db.Audit(ctx, store.AuditEntry{Actor: cfg.Operator, Action: "albergues.export",
			Detail: "format=csv"}); err != nil {
			return err
		}
		return store.WriteShelters(env.Stdout, list)
	case "status":
		if err := db.SetShelterStatus(ctx, args[0], status, "cli"); err != nil {
			if errors.Is(err, flows.ErrUnknownShelter) {
				return fmt.Errorf("no shelter %q in the directory (acercate albergues list shows the ids)", args[0])
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %s, as of %s\n", args[0], status, db.Now().Format("2006-01-02 15:04 MST"))
	}
	return nil
}

// readShelterFile reads and checks a directory file, printing every
// problem with its line.
func readShelterFile(env *Env, path string) ([]flows.Shelter, error) {
	return readOfficeFile(env, path, func(r io.Reader) ([]flows.Shelter, error) {
		return store.ParseShelters(r, store.ShelterParseOptions{NotAfter: time.Now().Add(24 * time.Hour)})
	})
}

// readOfficeFile reads a file the office edits (path, or stdin for "-")
// with parse, printing every problem with its line: nothing of a file
// with problems is imported.
func readOfficeFile[T any](env *Env, path string, parse func(io.Reader) ([]T, error)) ([]T, error) {
	var r io.Reader = env.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	list, err := parse(r)
	var problems []store.ShelterRowError
	var se *store.ShelterFileError
	var de *store.DirectoryFileError
	switch {
	case errors.As(err, &se):
		problems = se.Problems
	case errors.As(err, &de):
		problems = de.Problems
	default:
		return list, err
	}
	for _, p := range problems {
		fmt.Fprintf(env.Stderr, "%s: %s\n", path, p)
	}
	return nil, fmt.Errorf("%s: %d problem(s); nothing was imported", path, len(problems))
}

func listShelters(ctx context.Context, env *Env, db *store.DB) error {
	list, err := db.ListShelters(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCITY\tSTATUS\tSINCE\tBY\tPOINT\tVERIFIED\tNAME")
	for _, s := range list {
		status, since, by := "-", "-", "-"
		if s.Status != "" {
			status, since, by = s.Status, s.StatusAt.In(time.Local).Format("2006-01-02 15:04 MST"), s.StatusBy
			if len(by) > 12 {
				by = by[:12] // a keyed hash: enough to tell staff apart
			}
		}
		point := "exact"
		switch {
		case s.Exact:
		case s.Area:
			point = "area (approx.)"
		default:
			point = "city centre"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.City, status, since, by, point, s.Verified.Format("2006-01-02"), s.Name)
	}
	return tw.Flush()
}
