package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/acercate/acercate/store"
)

const moduloUsage = `usage:
  acercate modulo add CODE --name NAME [--staff-chat ID] [--staff-users ID,ID,...]
  acercate modulo list
  acercate modulo link CODE [--bot USERNAME] [--web URL] [--qr FILE.png] [--size PIXELS]
CODE: letters A-Z, digits, _ and - (stored in lower case), at most 62 characters.
--staff-chat is the Telegram group for its escalations (default ACERCATE_STAFF_CHAT);
--staff-users the Telegram user ids who act for it (default ACERCATE_STAFF_USERS).`

// runModulo manages the office's information módulos.
func runModulo(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 {
		return usagef("%s", moduloUsage)
	}
	switch args[0] {
	case "add":
		fs := newFlags(env, "modulo add")
		name := fs.String("name", "", "what the office calls the módulo (Tapachula, Ciudad Hidalgo…)")
		chat := fs.Int64("staff-chat", 0, "Telegram chat id of its staff group")
		users := fs.String("staff-users", "", "comma-separated Telegram user ids of its staff")
		code, err := parseCodeArgs(fs, args[1:])
		if err != nil {
			return usagef("%v\n%s", err, moduloUsage)
		}
		if strings.TrimSpace(*name) == "" {
			return usagef("--name is required\n%s", moduloUsage)
		}
		ids, err := store.ParseIDs(*users)
		if err != nil {
			return usagef("--staff-users: %v", err)
		}
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.AddModulo(ctx, store.Modulo{Code: code, Name: *name, StaffChat: *chat, StaffUsers: ids})
		var invalid store.InvalidError
		if errors.Is(err, store.ErrExists) || errors.As(err, &invalid) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "módulo %s added; print its link with: acercate modulo link %s\n", code, code)
		return nil
	case "list":
		if len(args) != 1 {
			return usagef("%s", moduloUsage)
		}
		db, err := openDB(ctx, cfg, true)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := db.Modulos(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tNAME\tSTAFF CHAT\tSTAFF USERS")
		for _, m := range list {
			chat := "default"
			if m.StaffChat != 0 {
				chat = fmt.Sprint(m.StaffChat)
			}
			users := "default"
			if len(m.StaffUsers) > 0 {
				users = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(m.StaffUsers)), ","), "[]")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", m.Code, m.Name, chat, users)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d módulos\n", len(list))
		return nil
	case "link":
		return runLink(ctx, env, cfg, "modulo", "m", args[1:])
	}
	return usagef("%s", moduloUsage)
}
