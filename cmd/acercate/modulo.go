package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/acercate/acercate/store"
)

const moduloUsage = `usage:
  acercate modulo add CODE --name NAME [--staff-chat ID] [--staff-users ID,ID,...]
                      [--address TEXT] [--hours TEXT] [--location LAT,LON]
  acercate modulo place CODE [--address TEXT] [--hours TEXT] [--location LAT,LON]
  acercate modulo list
  acercate modulo link CODE [--bot USERNAME] [--web URL] [--qr FILE.png] [--size PIXELS]
CODE: letters A-Z, digits, _ and - (stored in lower case), at most 62 characters.
--staff-chat is the Telegram group for its escalations (default ACERCATE_STAFF_CHAT);
--staff-users the Telegram user ids who act for it (default ACERCATE_STAFF_USERS).
--address, --hours and --location are what a person who asks where the módulo is
reads; "place" replaces all three (what is left out is cleared). A módulo with
neither an address nor a location is not shown: the bot says it does not know.`

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
		place := placeFlags(fs)
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
		m, err := place.modulo(code)
		if err != nil {
			return usagef("%v\n%s", err, moduloUsage)
		}
		m.Name, m.StaffChat, m.StaffUsers = *name, *chat, ids
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.AddModulo(ctx, m)
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
		fmt.Fprintln(w, "CODE\tNAME\tSTAFF CHAT\tSTAFF USERS\tPLACE")
		for _, m := range list {
			chat := "default"
			if m.StaffChat != 0 {
				chat = fmt.Sprint(m.StaffChat)
			}
			users := "default"
			if len(m.StaffUsers) > 0 {
				users = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(m.StaffUsers)), ","), "[]")
			}
			place := "not recorded (the bot says it does not know)"
			if m.Address != "" || m.HasLocation {
				place = strings.TrimSpace(m.Address + " " + m.Hours)
				if m.HasLocation {
					place = strings.TrimSpace(place + fmt.Sprintf(" (%.5f,%.5f)", m.Lat, m.Lon))
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", m.Code, m.Name, chat, users, place)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d módulos\n", len(list))
		return nil
	case "place":
		fs := newFlags(env, "modulo place")
		place := placeFlags(fs)
		code, err := parseCodeArgs(fs, args[1:])
		if err != nil {
			return usagef("%v\n%s", err, moduloUsage)
		}
		m, err := place.modulo(code)
		if err != nil {
			return usagef("%v\n%s", err, moduloUsage)
		}
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.SetModuloPlace(ctx, m)
		var invalid store.InvalidError
		if errors.Is(err, store.ErrNotFound) || errors.As(err, &invalid) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "módulo %s: place recorded\n", code)
		return nil
	case "link":
		return runLink(ctx, env, cfg, "modulo", "m", args[1:])
	}
	return usagef("%s", moduloUsage)
}

// moduloPlace holds the --address, --hours and --location flags.
type moduloPlace struct {
	address, hours, location *string
}

func placeFlags(fs *flag.FlagSet) moduloPlace {
	return moduloPlace{
		address:  fs.String("address", "", "street address a person is shown"),
		hours:    fs.String("hours", "", "opening hours a person is shown (lun–vie 9:00–17:00)"),
		location: fs.String("location", "", "latitude,longitude of its door (14.9057,-92.2634)"),
	}
}

func (p moduloPlace) modulo(code string) (store.Modulo, error) {
	m := store.Modulo{Code: code, Address: *p.address, Hours: *p.hours}
	if loc := strings.TrimSpace(*p.location); loc != "" {
		lat, lon, ok := strings.Cut(loc, ",")
		var err1, err2 error
		if ok {
			m.Lat, err1 = strconv.ParseFloat(strings.TrimSpace(lat), 64)
			m.Lon, err2 = strconv.ParseFloat(strings.TrimSpace(lon), 64)
		}
		if !ok || err1 != nil || err2 != nil {
			return m, fmt.Errorf("--location %q: want LAT,LON in decimal degrees", loc)
		}
		m.HasLocation = true
	}
	return m, nil
}
