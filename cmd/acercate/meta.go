package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/store"
)

const metaUsage = `usage:
  acercate meta set KEY VALUE [--year YYYY]
  acercate meta list [--year YYYY]
KEY is one of goal.campaigns, goal.modulos, goal.workshops, goal.people,
goal.families_people (the year's goals the weekly report follows) or
done.workshops (workshops held, which the bot cannot count). The year
defaults to the current one.`

// runMeta sets and lists the yearly goals the weekly report measures
// progress against.
func runMeta(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 {
		return usagef("%s", metaUsage)
	}
	fs := newFlags(env, "meta "+args[0])
	year := fs.Int("year", time.Now().In(hours.Zone()).Year(), "the year")
	var pos []string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return usagef("%s", metaUsage)
		}
		rest = fs.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	switch args[0] {
	case "set":
		if len(pos) != 2 {
			return usagef("%s", metaUsage)
		}
		v, err := strconv.Atoi(pos[1])
		if err != nil {
			return usagef("VALUE %q is not a whole number", pos[1])
		}
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.SetGoal(ctx, *year, pos[0], v)
		var invalid store.InvalidError
		if errors.As(err, &invalid) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s = %d for %d\n", strings.ToLower(pos[0]), v, *year)
		return nil
	case "list":
		if len(pos) != 0 {
			return usagef("%s", metaUsage)
		}
		db, err := openDB(ctx, cfg, true)
		if err != nil {
			return err
		}
		defer db.Close()
		goals, err := db.Goals(ctx, *year)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "KEY\t%d\n", *year)
		for _, k := range store.GoalKeys {
			v := "-"
			if n, ok := goals[k]; ok {
				v = strconv.Itoa(n)
			}
			fmt.Fprintf(w, "%s\t%s\n", k, v)
		}
		return w.Flush()
	}
	return usagef("%s", metaUsage)
}
