package flows_test

import (
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/locales"
)

// commandInText is a command as a message writes it for the person to type:
// "/ayuda", "/vieprive". Telegram commands are lowercase ASCII.
var commandInText = regexp.MustCompile(`(?:^|[\s(«“"])/([a-z][a-z_]{1,31})\b`)

// Every command a message tells the person to type is one the bot obeys,
// in the language of that message: a Creole help screen that shows /anile
// is only honest if /anile works.
func TestEveryCommandShownWorks(t *testing.T) {
	env := apptest.New(t)
	seen := map[string]map[string]bool{} // lang -> command
	err := fs.WalkDir(locales.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".toml" {
			return err
		}
		parts := strings.Split(path.Base(p), ".")
		lang := parts[len(parts)-2]
		var msgs map[string]string
		b, err := fs.ReadFile(locales.Files(), p)
		if err != nil {
			return err
		}
		if _, err := toml.Decode(string(b), &msgs); err != nil {
			return err
		}
		for id, text := range msgs {
			// What people type, and the staff group's own commands.
			if strings.HasSuffix(id, ".words") || strings.HasSuffix(id, ".keywords") ||
				strings.HasPrefix(id, "understand.") || strings.HasPrefix(id, "staff.") || strings.Contains(id, ".g.") {
				continue
			}
			for _, m := range commandInText.FindAllStringSubmatch(text, -1) {
				if seen[lang] == nil {
					seen[lang] = map[string]bool{}
				}
				seen[lang][m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	id := int64(700)
	for lang, cmds := range seen {
		list := make([]string, 0, len(cmds))
		for c := range cmds {
			list = append(list, c)
		}
		sort.Strings(list)
		for _, cmd := range list {
			// A payload-less /folio asks for the folio: still a known command.
			id++
			p := newPerson(t, env, nil, id, lang)
			p.command("start", "")
			unknown := msg(env, lang, "command.unknown", "Command", "/"+cmd)
			if r := p.command(cmd, ""); has(r, unknown) {
				t.Errorf("%s: a message shows /%s, but the bot does not know it", lang, cmd)
			}
		}
	}
}

// The help screen shows the commands in the person's own language.
func TestHelpShowsCommandsInTheLanguage(t *testing.T) {
	env := apptest.New(t)
	want := map[string][]string{
		"es": {"/cancelar", "/idioma", "/ayuda", "/privacidad", "/salir"},
		"en": {"/cancel", "/language", "/help", "/privacy", "/exit"},
		"fr": {"/annuler", "/langue", "/aide", "/confidentialite", "/sortir"},
		"ht": {"/anile", "/lang", "/ed", "/vieprive", "/soti"},
		"pt": {"/cancelar", "/idioma", "/ajuda", "/privacidade", "/sair"},
	}
	spanishOnly := []string{"/ayuda", "/privacidad", "/salir"}
	for lang, cmds := range want {
		for _, id := range []string{"help.text", "help.text.no_delete"} {
			help := msg(env, lang, id)
			for _, c := range cmds {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c) + ` —`).MatchString(help) {
					t.Errorf("%s %s does not show %s", lang, id, c)
				}
			}
			if lang == "es" {
				continue
			}
			for _, c := range spanishOnly {
				if strings.Contains(help, c+" ") {
					t.Errorf("%s %s shows the Spanish %s", lang, id, c)
				}
			}
		}
	}
}
