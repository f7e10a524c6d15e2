package flows

import "strconv"

// Voice notes and audio messages. The bot cannot listen to them, and it
// never passes the audio to staff: /privacidad promises that staff see
// what a person writes (and the area of a location), nothing of their
// voice. So a person who talks is answered with what they can tap where
// they are, and offered a person of their team; taking the offer opens a
// ticket that tells staff a voice note came ("nota de voz recibida") and
// to ask the person to write. Where no team takes conversations, the
// person is told so plainly.

// voiceAnswer answers a voice note or an audio outside a conversation
// with staff. The engine then shows again where the person was.
func voiceAnswer(c *Ctx) {
	text := c.T("input.unsupported")
	chat := int64(0)
	if c.Has("human") && c.Deps.Tickets != nil {
		var err error
		if chat, _, _, _, err = humanTeam(c); err != nil {
			c.Fail(err)
			return
		}
	}
	if chat == 0 {
		c.Send(text + "\n" + c.T("input.voice.nobody"))
		return
	}
	c.Send(text+"\n"+c.T("input.voice.person"), []Button{c.Nav(c.T("menu.human"), "human", "voice", "")})
}

// humanVoiceOpen takes the offer voiceAnswer made: the ticket opens at
// once, its first message the notice that a voice note came.
func humanVoiceOpen(c *Ctx) {
	c.Log("ask", "voice")
	humanOpen(c, Relay{Source: c.Person() + ":" + strconv.FormatInt(c.Event.UpdateID, 10), Direction: RelayIn,
		Kind: RelayVoice, At: c.Now}, false)
}
