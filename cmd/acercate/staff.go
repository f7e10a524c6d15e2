package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/store"
)

const staffUsage = `usage:
  acercate staff groups    the staff groups, how many staff act in each (ACERCATE_STAFF_* and módulos) and whether the bot can post there
  acercate staff tickets   open conversations with staff: ticket, priority, status, age, módulo (nothing anyone wrote)`

// runStaff shows operators how the staff desk is set up and what waits in
// it, without anything a person wrote or any user id.
func runStaff(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) != 1 || (args[0] != "groups" && args[0] != "tickets") {
		return usagef("%s", staffUsage)
	}
	settings := cfg.Staff
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	dir, err := db.Tickets().Staff(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	defer w.Flush()
	if args[0] == "groups" {
		state, err := groupStates(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "MÓDULO\tNAME\tSTAFF GROUP\tSTAFF USERS\tSTATE")
		def := "(not set)"
		if settings.Staff.Chat != 0 {
			def = strconv.FormatInt(settings.Staff.Chat, 10)
		}
		fmt.Fprintf(w, "(default)\t\t%s\t%d\t%s\n", def, len(settings.Staff.Users), state(settings.Staff.Chat))
		codes := make([]string, 0, len(dir.Modulos))
		for c := range dir.Modulos {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			m := dir.Modulos[c]
			group := "(default)"
			if m.Chat != 0 {
				group = strconv.FormatInt(m.Chat, 10)
			}
			users := strconv.Itoa(len(m.Users))
			if len(m.Users) == 0 {
				users = "(default)"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c, m.Name, group, users, state(m.Chat))
		}
		return nil
	}
	list, err := db.Tickets().Active(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "TICKET\tPRIORITY\tSTATUS\tOPENED\tWAITING\tLANG\tMÓDULO\tCAMPAIGN")
	now := time.Now()
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Code(), t.Priority, t.Status,
			t.OpenedAt.In(hours.Zone()).Format("2006-01-02 15:04"), now.Sub(t.OpenedAt).Round(time.Minute),
			t.Lang, dash(t.Modulo), dash(t.Campaign))
	}
	return nil
}

// groupStates returns what to say of a staff group's state: "ok", or since
// when the desk cannot post there (the bot was removed from the group) and
// when it tries again; nothing for no group.
func groupStates(ctx context.Context, db *store.DB) (func(chat int64) string, error) {
	down, err := db.Tickets().StaffGroupsDown(ctx)
	if err != nil {
		return nil, err
	}
	blocked, err := db.BlockedChats(ctx)
	if err != nil {
		return nil, err
	}
	isBlocked := map[string]bool{}
	for _, h := range blocked {
		isBlocked[h] = true
	}
	return func(chat int64) string {
		if chat == 0 {
			return ""
		}
		s := "ok"
		if g, ok := down[chat]; ok {
			s = fmt.Sprintf("UNREACHABLE since %s (%s, %d failed tries), next try %s",
				g.Since.In(hours.Zone()).Format("2006-01-02 15:04"), g.Error, g.Failures,
				g.Next.In(hours.Zone()).Format("15:04:05"))
		}
		if isBlocked[db.Keys().ChatHash(flows.Telegram(chat))] {
			s += "; marked blocked by the bot (403)"
		}
		return s
	}, nil
}
