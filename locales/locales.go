// Package locales holds every string a person reads, as go-i18n message
// files embedded in the binary: <subject>.<lang>.toml, one set per subject
// (core, rights, albergues...) so translators and the office can correct
// one subject without touching code. Spanish is the source language.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Source is the language every message is written in first.
const Source = "es"

// Shipped lists the languages Acércate speaks, source first. Every message
// id exists in every one of them (locales_test.go checks it).
var Shipped = []string{"es", "en", "fr", "ht", "pt"}

// Bundle loads every embedded message file.
func Bundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		msgs, err := i18n.ParseMessageBytes(raw, toml.Unmarshal)
		if err != nil {
			return nil, fmt.Errorf("locale %s: %w", name, err)
		}
		if err := b.AddMessages(language.Make(Tag(langOf(name))), msgs...); err != nil {
			return nil, fmt.Errorf("locale %s: %w", name, err)
		}
	}
	return b, nil
}

// Tag returns the language tag a shipped language is kept under in the
// bundle. go-i18n has no plural rule for Haitian Creole, which does not
// inflect nouns for number; its messages are kept under a private-use tag
// whose rules (those of "art") have the same "other" form.
func Tag(lang string) string {
	if lang == "ht" {
		return "art-x-ht"
	}
	return lang
}

// langOf returns the language of a <subject>.<lang>.toml file name.
func langOf(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) < 3 {
		return ""
	}
	return parts[len(parts)-2]
}

// Files returns the embedded message files, for tests and tools.
func Files() fs.FS { return files }
