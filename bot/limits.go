package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps Telegram's sending limits: one bucket for everything, one
// per chat, a slower one per group. A zero rate turns that limit off.
type limiter struct {
	global *rate.Limiter

	chatRate, groupRate   rate.Limit
	chatBurst, groupBurst int

	mu      sync.Mutex
	chats   map[int64]*chatLimit
	checked int
}

type chatLimit struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiter(global, chat, group float64, chatBurst, groupBurst int) *limiter {
	l := &limiter{chatRate: rate.Limit(chat), groupRate: rate.Limit(group),
		chatBurst: max(chatBurst, 1), groupBurst: max(groupBurst, 1), chats: map[int64]*chatLimit{}}
	if global > 0 {
		// A burst of one spaces messages evenly: Telegram counts per second.
		l.global = rate.NewLimiter(rate.Limit(global), 1)
	}
	return l
}

// isGroup reports whether a chat id is a group's: Telegram gives groups
// and channels negative ids.
func isGroup(chat int64) bool { return chat < 0 }

// wait blocks until one message may go to chat.
func (l *limiter) wait(ctx context.Context, chat int64) error {
	if cl := l.chat(chat); cl != nil {
		if err := cl.Wait(ctx); err != nil {
			return err
		}
	}
	if l.global != nil {
		return l.global.Wait(ctx)
	}
	return nil
}

// chatDelay is how long until chat's own limit lets one message go, 0 if
// it does now. It takes nothing: wait takes the token.
func (l *limiter) chatDelay(chat int64) time.Duration {
	cl := l.chat(chat)
	if cl == nil {
		return 0
	}
	tokens := cl.Tokens()
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(cl.Limit()) * float64(time.Second))
}

func (l *limiter) chat(chat int64) *rate.Limiter {
	r, burst := l.chatRate, l.chatBurst
	if isGroup(chat) {
		r, burst = l.groupRate, l.groupBurst
	}
	if r <= 0 {
		return nil
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.checked++; l.checked%4096 == 0 {
		// An idle chat's bucket is full again: forgetting it changes nothing.
		for id, c := range l.chats {
			if now.Sub(c.last) > time.Minute+time.Duration(float64(time.Second)*float64(burst)/float64(r)) {
				delete(l.chats, id)
			}
		}
	}
	c := l.chats[chat]
	if c == nil {
		c = &chatLimit{lim: rate.NewLimiter(r, burst)}
		l.chats[chat] = c
	}
	c.last = now
	return c.lim
}
