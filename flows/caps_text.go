package flows

// noDeleteVariant names the messages that promise what only a channel
// that deletes messages can do ("/salir deletes this chat", "Telegram
// keeps your messages"); each has an id+".no_delete" twin in
// locales/nodelete.*.toml for a channel without delete.
var noDeleteVariant = map[string]bool{
	"privacy.notice": true, "help.text": true, "privacy.text": true, "privacy.erase.done": true,
}

// CapsID is the message id to use for id on the person's channel: its
// no-delete twin where the channel cannot delete messages.
func (c *Ctx) CapsID(id string) string {
	if noDeleteVariant[id] && !c.Caps().CanDelete {
		return id + ".no_delete"
	}
	return id
}
