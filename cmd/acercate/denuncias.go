package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/store"
)

const denunciasUsage = `usage:
  acercate denuncias list [--status received|en_revision|canalizada|cerrada]
  acercate denuncias show FOLIO            (opens what the person wrote; audit-logged)
  acercate denuncias status FOLIO STATUS   (audit-logged)`

// runDenuncias serves the office until the staff queue lands: list the
// denuncias (codes only, never what people wrote), show one (opening its
// sealed fields, which writes an audit row naming who read it), and set
// its status (which the person sees with /folio).
func runDenuncias(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 {
		return usagef("%s", denunciasUsage)
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := cfg.Operator
	d := db.Denuncias()
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("denuncias list", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		status := fs.String("status", "", "only denuncias with this status")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
			return usagef("%s", denunciasUsage)
		}
		if *status != "" && !isStatus(*status) {
			return usagef("unknown status %q (one of %s)", *status, strings.Join(flows.DenunciaStatuses, ", "))
		}
		list, err := d.List(ctx, *status)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "FOLIO\tFILED\tSTATUS\tCATEGORY\tMUNICIPALITY")
		for _, l := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.Folio, l.Created.In(hours.Zone()).Format("2006-01-02 15:04"),
				l.Status, l.Category, l.Municipality)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d denuncias\n", len(list))
		return nil
	case "show":
		if len(args) != 2 {
			return usagef("%s", denunciasUsage)
		}
		rec, err := d.View(ctx, folioArg(args[1]), actor)
		if errors.Is(err, flows.ErrNoDenuncia) {
			return fmt.Errorf("no denuncia %s", folioArg(args[1]))
		}
		if err != nil {
			return err
		}
		printDenuncia(env, rec)
		return nil
	case "status":
		if len(args) != 3 {
			return usagef("%s", denunciasUsage)
		}
		if !isStatus(args[2]) {
			return usagef("unknown status %q (one of %s)", args[2], strings.Join(flows.DenunciaStatuses, ", "))
		}
		folio := folioArg(args[1])
		err := d.SetStatus(ctx, folio, args[2], actor)
		if errors.Is(err, flows.ErrNoDenuncia) {
			return fmt.Errorf("no denuncia %s", folio)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s is now %s\n", folio, args[2])
		return nil
	}
	return usagef("%s", denunciasUsage)
}

func isStatus(s string) bool {
	for _, st := range flows.DenunciaStatuses {
		if st == s {
			return true
		}
	}
	return false
}

func folioArg(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func printDenuncia(env *Env, r *store.DenunciaRecord) {
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(w, "%s:\t%s\n", k, v) }
	row("Folio", r.Folio)
	row("Filed", r.Created.In(hours.Zone()).Format("2006-01-02 15:04")+" (Chiapas)")
	row("Updated", r.Updated.In(hours.Zone()).Format("2006-01-02 15:04"))
	row("Status", r.Status)
	row("Category", r.Category)
	when := r.When
	if r.On != "" {
		when += " (" + r.On + ")"
	}
	row("When", when)
	where := r.Municipality
	if r.Place != "" {
		where += ": " + r.Place
	}
	row("Where", where)
	who := r.Perpetrator
	if r.Which != "" {
		who += " (" + r.Which + ")"
	}
	row("Who", who)
	row("Language", r.Lang)
	row("Campaign", r.Campaign)
	row("Módulo", r.Modulo)
	if id, ok := r.Contact.TelegramID(); ok {
		row("Contact", fmt.Sprintf("Telegram chat %d (asked to be written to)", id))
	} else if !r.Contact.IsZero() {
		row("Contact", fmt.Sprintf("%s (asked to be written to)", r.Contact))
	} else {
		row("Contact", "anonymous (asked not to be contacted)")
	}
	row("Photos", fmt.Sprint(len(r.Photos)))
	for i, p := range r.Photos {
		row(fmt.Sprintf("  photo %d", i+1), p)
	}
	w.Flush()
	fmt.Fprintln(env.Stdout, "What happened:")
	if r.Text == "" {
		fmt.Fprintln(env.Stdout, "  (nothing written)")
		return
	}
	for _, line := range strings.Split(r.Text, "\n") {
		fmt.Fprintln(env.Stdout, "  "+line)
	}
}
