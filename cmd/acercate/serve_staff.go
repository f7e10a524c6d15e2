package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
)

// staffSettings are the staff desk's settings, read from the environment.
type staffSettings struct {
	Staff      flows.StaffConfig
	Reannounce time.Duration
}

// readStaffSettings reads ACERCATE_STAFF_CHAT, ACERCATE_STAFF_USERS,
// ACERCATE_STAFF_HOURS, ACERCATE_STAFF_LANG and ACERCATE_URGENT_REANNOUNCE.
// All are optional: without a staff group (here or per módulo) the bot
// tells people it cannot put them in touch with a person now.
func readStaffSettings(r *envReader) staffSettings {
	var s staffSettings
	s.Staff.Chat = r.chatID("ACERCATE_STAFF_CHAT")
	for _, u := range strings.FieldsFunc(r.str("ACERCATE_STAFF_USERS", ""), func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(u, 10, 64)
		if !r.check("ACERCATE_STAFF_USERS", err == nil && id > 0, "%q is not a Telegram user id (comma-separated positive numbers)", u) {
			break
		}
		s.Staff.Users = append(s.Staff.Users, id)
	}
	if v := r.str("ACERCATE_STAFF_HOURS", ""); v != "" {
		h, err := flows.ParseStaffHours(v)
		if err != nil {
			r.fail(usagef("ACERCATE_STAFF_HOURS: %v", err))
		}
		s.Staff.Hours = h
	}
	s.Staff.Lang = r.lang("ACERCATE_STAFF_LANG", "es")
	s.Reannounce = r.duration("ACERCATE_URGENT_REANNOUNCE", 10*time.Minute)
	return s
}

// staffJob is the staff desk: it sets the engine's staff configuration
// (before receiving starts), maps delivered group messages to tickets, and
// runs the desk's announcements and relays.
func staffJob(env *serveEnv) (serveJob, error) {
	s := env.Config.Staff
	env.App.Engine.SetStaff(s.Staff)
	d, err := desk.New(desk.Config{
		Store: env.App.Store, Engine: env.App.Engine, Sender: env.Sender, Staff: s.Staff,
		Reannounce: s.Reannounce, Now: env.Now, Logger: env.Logger,
	})
	if err != nil {
		return serveJob{}, err
	}
	env.OnDelivered(d.OnDelivered)
	if s.Staff.Chat == 0 {
		env.Logger.Warn("ACERCATE_STAFF_CHAT is not set: only módulos with their own staff group can take conversations", "component", "desk")
	}
	return serveJob{Name: "staff", Run: func(ctx context.Context) error { return d.Run(ctx) }}, nil
}
