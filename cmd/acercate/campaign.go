package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/acercate/acercate/store"
	qrcode "github.com/skip2/go-qrcode"
)

const campaignUsage = `usage:
  acercate campaign add CODE --name NAME [--modulo CODE] [--starts YYYY-MM-DD]
  acercate campaign list
  acercate campaign link CODE [--bot USERNAME] [--web URL] [--qr FILE.png] [--size PIXELS]
CODE: letters A-Z, digits, _ and - (stored in lower case), at most 62 characters.
The bot's username comes from --bot or ACERCATE_BOT_USERNAME, the portal's address
from --web or ACERCATE_PUBLIC_URL; each given one gets its link and QR code
(the web one in FILE-web.png).`

// runCampaign manages the office's promotion campaigns and prints the
// deep link and QR code that go on their trípticos, carteles and lonas.
func runCampaign(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 {
		return usagef("%s", campaignUsage)
	}
	switch args[0] {
	case "add":
		fs := newFlags(env, "campaign add")
		name := fs.String("name", "", "what the office calls the campaign")
		modulo := fs.String("modulo", "", "the módulo running it")
		starts := fs.String("starts", "", "the day it starts, YYYY-MM-DD")
		code, err := parseCodeArgs(fs, args[1:])
		if err != nil {
			return usagef("%v\n%s", err, campaignUsage)
		}
		if strings.TrimSpace(*name) == "" {
			return usagef("--name is required\n%s", campaignUsage)
		}
		db, err := openDB(ctx, cfg, false)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.AddCampaign(ctx, store.Campaign{Code: code, Name: *name, Modulo: *modulo, Starts: *starts})
		var invalid store.InvalidError
		switch {
		case errors.Is(err, store.ErrNotFound):
			return usagef("%v (add it first: acercate modulo add)", err)
		case errors.Is(err, store.ErrExists), errors.As(err, &invalid):
			return usagef("%v", err)
		case err != nil:
			return err
		}
		c, err := db.CampaignByCode(ctx, code)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "campaign %s added; print its link with: acercate campaign link %s\n", c.Code, c.Code)
		return nil
	case "list":
		if len(args) != 1 {
			return usagef("%s", campaignUsage)
		}
		db, err := openDB(ctx, cfg, true)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := db.Campaigns(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tNAME\tMÓDULO\tSTARTS")
		for _, c := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.Code, c.Name, dash(c.Modulo), dash(c.Starts))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d campaigns\n", len(list))
		return nil
	case "link":
		return runLink(ctx, env, cfg, "campaign", "c", args[1:])
	}
	return usagef("%s", campaignUsage)
}

// runLink prints the deep link of a campaign (prefix "c") or módulo ("m")
// and writes its QR code, after checking the code exists so a printed
// poster never carries a link the reports will not recognise.
func runLink(ctx context.Context, env *Env, cfg *Config, what, prefix string, args []string) error {
	usage := campaignUsage
	if what == "modulo" {
		usage = moduloUsage
	}
	fs := newFlags(env, what+" link")
	bot := fs.String("bot", "", "the bot's Telegram username (default ACERCATE_BOT_USERNAME)")
	webURL := fs.String("web", "", "the portal's public address (default ACERCATE_PUBLIC_URL)")
	qr := fs.String("qr", "", "where to write the QR code PNG (default "+prefix+"-CODE.png)")
	size := fs.Int("size", 1024, "the QR code's width and height in pixels (256 to 4096)")
	code, err := parseCodeArgs(fs, args)
	if err != nil {
		return usagef("%v\n%s", err, usage)
	}
	username, base, err := linkTargets(cfg, *bot, *webURL)
	if err != nil {
		return err
	}
	if *size < 256 || *size > 4096 {
		return usagef("--size %d: use 256 to 4096 pixels", *size)
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if what == "campaign" {
		c, err := db.CampaignByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return usagef("%v (see acercate campaign list)", err)
		} else if err != nil {
			return err
		}
		code = c.Code
	} else {
		m, err := db.ModuloByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return usagef("%v (see acercate modulo list)", err)
		} else if err != nil {
			return err
		}
		code = m.Code
	}
	path := *qr
	if path == "" {
		path = prefix + "-" + code + ".png"
	}
	type target struct{ link, path, label string }
	var targets []target
	if username != "" {
		targets = append(targets, target{DeepLink(username, prefix, code), path, "QR code"})
	}
	if base != "" {
		targets = append(targets, target{WebLink(base, prefix, code), strings.TrimSuffix(path, ".png") + "-web.png", "QR code (web)"})
	}
	for _, t := range targets {
		// High error correction: a lona outdoors gets dirty and folded, and a
		// quarter of the code may be lost and still read.
		if err := qrcode.WriteFile(t.link, qrcode.High, *size, t.path); err != nil {
			return fmt.Errorf("write QR code: %w", err)
		}
		fmt.Fprintln(env.Stdout, t.link)
		fmt.Fprintf(env.Stdout, "%s: %s (%d×%d px)\n", t.label, t.path, *size, *size)
	}
	return nil
}

// linkTargets returns the bot's username and the portal's base address a
// link command prints links for: at least one is needed, and a given one
// must be valid.
func linkTargets(cfg *Config, botFlag, webFlag string) (username, base string, err error) {
	base = cfg.PublicURL
	if strings.TrimSpace(webFlag) != "" {
		b, ok := parsePublicURL(webFlag)
		if !ok {
			return "", "", usagef("--web: %q is not an http(s) base URL like https://acercate.example", webFlag)
		}
		base = b
	}
	if strings.TrimSpace(botFlag) != "" || cfg.BotUsername != "" || base == "" {
		if username, err = botUsername(cfg, botFlag); err != nil {
			if base == "" {
				return "", "", usagef("%v, or the portal's address: --web https://… or ACERCATE_PUBLIC_URL", err)
			}
			return "", "", err
		}
	}
	return username, base, nil
}

// WebLink is the portal's link for a campaign (?c=) or módulo (?m=): a
// visitor who opens it is attributed as one who opened the deep link.
func WebLink(base, prefix, code string) string {
	return base + "/?" + prefix + "=" + code
}

// DeepLink is the t.me link that opens the bot with "/start <prefix>-<code>".
func DeepLink(username, prefix, code string) string {
	return "https://t.me/" + username + "?start=" + prefix + "-" + code
}

// botUsernameRE is Telegram's rule for a bot's username: 5 to 32 letters,
// digits and underscores, ending in "bot".
var botUsernameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{1,29}[Bb][Oo][Tt]$`)

// botUsername is --bot, else ACERCATE_BOT_USERNAME (checked by readConfig).
func botUsername(cfg *Config, flagValue string) (string, error) {
	name := strings.TrimPrefix(strings.TrimSpace(flagValue), "@")
	if name == "" {
		name = cfg.BotUsername
	}
	if name == "" {
		return "", usagef("the bot's username is needed: --bot AcercateBot or ACERCATE_BOT_USERNAME")
	}
	if !botUsernameRE.MatchString(name) {
		return "", usagef("--bot: %q is not a Telegram bot username (5-32 letters, digits or _, ending in bot)", name)
	}
	return name, nil
}

// newFlags is a flag set that reports to stderr and never exits.
func newFlags(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseCodeArgs parses "CODE --flag value" or "--flag value CODE": exactly
// one code, validated for a Telegram start parameter.
func parseCodeArgs(fs *flag.FlagSet, args []string) (string, error) {
	var code string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		code, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	rest := fs.Args()
	if code == "" && len(rest) > 0 {
		code, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return "", fmt.Errorf("unexpected %q", strings.Join(rest, " "))
	}
	if code == "" {
		return "", errors.New("a CODE is required")
	}
	code, err := store.NormalizeCode(code)
	if err != nil {
		return "", err
	}
	return code, nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
