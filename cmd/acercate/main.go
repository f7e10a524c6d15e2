// Command acercate is Acércate's one binary: the Telegram bot (serve), the
// same conversation in the terminal (chat), and the office's tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/acercate/acercate/store"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

// command is one subcommand. Run gives it the Config, read and checked
// before the command starts; help and version (bare) run without one, so
// they work whatever the environment holds.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, cfg *Config, args []string) error
	bare    bool
}

// commands lists every subcommand; each lives in its own file.
func commands() map[string]command {
	return map[string]command{
		"help":       {"list the commands", runHelp, true},
		"version":    {"print the version", runVersion, true},
		"chat":       {"talk to the bot in the terminal, as a migrant would (no token, no network)", runChat, false},
		"web":        {"run the web portal locally on 127.0.0.1:8080, as a migrant would see it (no token, no network)", runWeb, false},
		"albergues":  {"the shelter directory: import FILE, list, export, status ID lleno|abierto|cerrado, confirm ID --by NAME|--undo", runAlbergues, false},
		"directorio": {"the reference directory (consulates, SRE lines, search commissions, Casa Chiapas, municipal contacts): import FILE, list, export", runDirectorio, false},
		"denuncias":  {"list denuncias, show one (audit-logged), set a status", runDenuncias, false},
		"staff":      {"the staff desk: groups (who answers where), tickets (open conversations)", runStaff, false},
		"serve":      {"run the Telegram bot and the web portal (configured by the environment; see README.md)", runServe, false},
		"campaign":   {"the office's campaigns: add CODE --name …, list, link CODE (deep link and QR code)", runCampaign, false},
		"report":     {"the coordinators' weekly summary: weekly [--week 2026-W47|last] [--format md|csv|json|html] [--out FILE]", runReport, false},
		"meta":       {"the year's goals for the weekly report: set KEY VALUE [--year], list", runMeta, false},
		"modulo":     {"the office's módulos: add CODE --name … [--staff-chat ID] [--staff-users 1,2], list, link CODE", runModulo, false},
		"audit":      {"print the audit log: who read or changed people's records, erasures, purges", runAudit, false},
		"purge":      {"remove what is past its retention (--dry-run: print what would go)", runPurge, false},
		"rekey":      {"re-seal every encrypted field under ACERCATE_NEW_DATA_KEY (key rotation)", runRekey, false},
	}
}

// Env is what a command may use from the outside world; tests replace it.
// Getenv is read by readConfig only: commands take their settings from
// the Config.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// usageError is a bad command line or configuration: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(Run(ctx, env, os.Args[1:]))
}

// Run runs a command line and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	name := "help"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "acercate: unknown command %q; run 'acercate help'\n", name)
		return 2
	}
	var cfg *Config
	var err error
	if !cmd.bare {
		cfg, err = readConfig(env.Getenv)
	}
	if err == nil {
		err = cmd.run(ctx, env, cfg, args)
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, store.ErrWrongKey):
		// A wrong key is bad configuration: refused at start, exit 2.
		fmt.Fprintf(env.Stderr, "acercate %s: %v\n", name, store.ErrWrongKey)
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "acercate %s: %s\n", name, ue.msg)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "acercate %s: %v\n", name, err)
		return 1
	}
}

func runHelp(ctx context.Context, env *Env, _ *Config, args []string) error {
	fmt.Fprintln(env.Stdout, "acercate — information, shelters and complaints for migrants, on Telegram")
	fmt.Fprintln(env.Stdout, "\nUsage: acercate <command> [arguments]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(env.Stdout, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(env.Stdout, "\nConfiguration is read from the environment; see README.md.")
	return nil
}

func runVersion(ctx context.Context, env *Env, _ *Config, args []string) error {
	fmt.Fprintln(env.Stdout, "acercate", version)
	return nil
}
