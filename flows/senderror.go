package flows

import (
	"errors"
	"fmt"
	"time"
)

// SendErrorKind says what a failed delivery of a Reply means for the next
// attempt. Every channel adapter maps its API's failures onto these kinds
// (bot/errors.go for Telegram); the runner (flows/run) and the staff desk
// decide retries from the kind alone, whatever the channel.
type SendErrorKind string

// The kinds of send errors.
const (
	// SendRetryAfter: the channel asked to wait (Telegram's 429
	// retry_after, or the adapter's own per-chat send limit); the same
	// reply may go after SendError.After.
	SendRetryAfter SendErrorKind = "retry_after"
	// SendTemporary: the network or the channel's server failed; the same
	// reply may go later, after a backoff.
	SendTemporary SendErrorKind = "temporary"
	// SendBlocked: the person blocked the bot (or the group removed it);
	// nothing more goes to that chat until it writes again.
	SendBlocked SendErrorKind = "blocked"
	// SendPermanent: the channel refused the reply for good (even in its
	// plainest form); sending it again would not help.
	SendPermanent SendErrorKind = "permanent"
	// SendNotModified: an edit that changes nothing; the message already
	// says it, so the reply counts as delivered.
	SendNotModified SendErrorKind = "not_modified"
)

// SendError is a failed delivery, in channel-neutral form. Err is the
// adapter's own error (a *bot.Error), reachable with errors.As; neither
// holds a chat id or a text.
type SendError struct {
	Kind SendErrorKind
	// After is how long to wait before trying again (SendRetryAfter).
	After time.Duration
	Err   error
}

func (e *SendError) Error() string {
	switch {
	case e.Err != nil && e.Kind == SendRetryAfter:
		return fmt.Sprintf("send: %s %v: %v", e.Kind, e.After, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("send: %s: %v", e.Kind, e.Err)
	case e.Kind == SendRetryAfter:
		return fmt.Sprintf("send: %s %v", e.Kind, e.After)
	}
	return "send: " + string(e.Kind)
}

func (e *SendError) Unwrap() error { return e.Err }

// Retry reports whether the same reply may be delivered later.
func (e *SendError) Retry() bool { return e.Kind == SendRetryAfter || e.Kind == SendTemporary }

// Delivered reports whether the reply counts as delivered despite the error.
func (e *SendError) Delivered() bool { return e.Kind == SendNotModified }

// AsSendError returns the SendError err is or wraps, nil for a nil err. An
// error that is none (a bug, an adapter that did not map it) is taken as
// SendTemporary: trying again is the safe guess, a message is never
// dropped on an unknown error (a context that ended is one).
func AsSendError(err error) *SendError {
	if err == nil {
		return nil
	}
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Kind: SendTemporary, Err: err}
}
