package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/term"
)

// runChat is `acercate chat [--lang xx]`: the engine in the terminal, as a
// migrant would see it, on an embedded Redis and a local SQLite file.
func runChat(ctx context.Context, env *Env, cfg *Config, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	lang := fs.String("lang", "es", "the language code the person's phone reports (es, en, fr, ht, pt, or another)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	keys, err := cfg.keys(keyCreate)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, app.Config{
		RedisURL: cfg.RedisURL, DBPath: cfg.DBPath, Keys: keys, StateTTL: cfg.StateTTL, Logger: logger,
		Retention: cfg.Retention,
	})
	if err != nil {
		return err
	}
	defer a.Close()

	fmt.Fprintln(env.Stdout, "Acércate chat. Type a message, or a number to tap a button; /loc LAT LON shares a location; Ctrl-D exits.")
	s := term.NewSession(a.Engine, flows.Address{Channel: flows.ChannelTerm, ID: "local"}, *lang)
	say := func(line string) error {
		out, err := s.Send(ctx, line)
		if err != nil {
			return err
		}
		fmt.Fprint(env.Stdout, indent(out))
		return nil
	}
	// A person opening the bot taps START, which sends /start.
	if err := say("/start"); err != nil {
		return err
	}
	interactive := isTerminal(env.Stdin)
	in := bufio.NewScanner(env.Stdin)
	in.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if interactive {
			fmt.Fprint(env.Stdout, "> ")
		}
		if !in.Scan() {
			break
		}
		line := in.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := say(line); err != nil {
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if interactive {
		fmt.Fprintln(env.Stdout)
	}
	if err := in.Err(); err != nil && err != io.EOF {
		return fmt.Errorf("read input: %w", err)
	}
	return nil
}

// indent sets the bot's lines apart from what the person types.
func indent(s string) string {
	if s == "" {
		return s
	}
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
