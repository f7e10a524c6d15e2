package main

import (
	"context"
	"errors"
	"flag"
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
  acercate albergues status ID lleno|abierto|cerrado set a shelter's status as of now
  acercate albergues confirm ID --by NAME            record that NAME in the office checked the entry today:
                                                     the bot then says "revisado por la oficina" with the day
  acercate albergues confirm ID --undo               withdraw it: the bot shows the source's date again`

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
	var confirm shelterConfirm
	if sub == "confirm" {
		var err error
		if confirm, err = parseShelterConfirm(args); err != nil {
			return err
		}
		args = []string{confirm.id}
	}
	want := map[string]int{"import": 1, "list": 0, "export": 0, "status": 2, "confirm": 1}
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
	case "confirm":
		return confirmShelter(ctx, env, cfg, db, confirm)
	}
	return nil
}

// shelterConfirm is what `albergues confirm` was asked.
type shelterConfirm struct {
	id, by string
	undo   bool
}

// parseShelterConfirm reads "ID --by NAME" or "ID --undo", the flags
// before or after the id.
func parseShelterConfirm(args []string) (shelterConfirm, error) {
	var c shelterConfirm
	fs := flag.NewFlagSet("albergues confirm", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.by, "by", "", "who in the office checked the entry")
	fs.BoolVar(&c.undo, "undo", false, "withdraw the confirmation")
	var ids []string
	for {
		if err := fs.Parse(args); err != nil {
			return c, usagef("albergues confirm: %v\n%s", err, alberguesUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		ids, args = append(ids, fs.Arg(0)), fs.Args()[1:]
	}
	c.by = strings.TrimSpace(c.by)
	switch {
	case len(ids) != 1:
		return c, usagef("albergues confirm: give one shelter id\n%s", alberguesUsage)
	case c.undo == (c.by != ""):
		return c, usagef("albergues confirm: give --by NAME (who in the office checked it) or --undo\n%s", alberguesUsage)
	case len([]rune(c.by)) > 80:
		return c, usagef("albergues confirm: --by is a name, at most 80 characters")
	}
	c.id = ids[0]
	return c, nil
}

// confirmShelter records or withdraws the office's check of a shelter.
func confirmShelter(ctx context.Context, env *Env, cfg *Config, db *store.DB, c shelterConfirm) error {
	var err error
	if c.undo {
		if err = db.UnconfirmShelter(ctx, c.id, cfg.Operator); err == nil {
			fmt.Fprintf(env.Stdout, "%s: no longer confirmed by the office; the bot shows the source's date\n", c.id)
		}
	} else {
		var day time.Time
		if day, err = db.ConfirmShelter(ctx, c.id, c.by, cfg.Operator); err == nil {
			fmt.Fprintf(env.Stdout, "%s: confirmed by %s on %s\n", c.id, c.by, day.Format(time.DateOnly))
		}
	}
	if errors.Is(err, flows.ErrUnknownShelter) {
		return fmt.Errorf("no shelter %q in the directory (acercate albergues list shows the ids)", c.id)
	}
	return err
}

// checkedText is what the office's lists say of an entry's check: the
// office's own, with the day and who, else the source's date.
func checkedText(confirmed time.Time, by, sourceDate string) string {
	switch {
	case !confirmed.IsZero():
		return "confirmed " + confirmed.Format(time.DateOnly) + " by " + by
	case sourceDate == "":
		return "source undated"
	}
	return "source " + sourceDate
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
	fmt.Fprintln(tw, "ID\tCITY\tSTATUS\tSINCE\tBY\tPOINT\tCHECKED\tNAME")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.City, status, since, by, point,
			checkedText(s.Confirmed, s.ConfirmedBy, s.Verified.Format(time.DateOnly)), s.Name)
	}
	return tw.Flush()
}
