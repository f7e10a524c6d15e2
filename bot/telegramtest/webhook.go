package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// PushWebhook plays Telegram in webhook mode until ctx ends: it POSTs the
// queued updates, in order, to target (the bot's webhook handler, served
// by the test) with the secret set by setWebhook, over at most
// max_connections (setWebhook's) requests at a time, and takes an update
// answered 200 as delivered; any other answer, or none, sends it again
// after retry. It does not wait for one chat's update to be answered
// before sending that chat's next one: the worst case for the bot, where
// one chat's burst can take every connection. Call it once setWebhook was
// called.
func (s *Server) PushWebhook(ctx context.Context, target string, retry time.Duration) {
	s.mu.Lock()
	conns, secret := max(s.webhookConns, 1), s.webhookTok
	s.mu.Unlock()
	slots := make(chan struct{}, conns)
	kick := make(chan struct{}, 1)
	type state struct {
		busy  bool
		again time.Time
	}
	var states = map[int64]*state{} // guarded by s.mu
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}}
	defer client.CloseIdleConnections()
	for ctx.Err() == nil {
		s.mu.Lock()
		var next *update
		now := time.Now()
		for i := range s.updates {
			u := &s.updates[i]
			st := states[u.id]
			if st == nil {
				st = &state{}
				states[u.id] = st
			}
			if !st.busy && !now.Before(st.again) {
				st.busy = true
				next = u
				break
			}
		}
		var body []byte
		var id int64
		if next != nil {
			body, _ = json.Marshal(next.body)
			id = next.id
		}
		wake := s.wake
		s.mu.Unlock()
		if next == nil {
			select {
			case <-ctx.Done():
			case <-wake:
			case <-kick:
			case <-time.After(retry):
			}
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		go func() {
			defer func() {
				<-slots
				select {
				case kick <- struct{}{}:
				default:
				}
			}()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			resp, err := client.Do(req)
			delivered := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				resp.Body.Close()
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if delivered {
				kept := s.updates[:0]
				for _, u := range s.updates {
					if u.id != id {
						kept = append(kept, u)
					}
				}
				s.updates = kept
				delete(states, id)
				return
			}
			states[id].busy, states[id].again = false, time.Now().Add(retry)
		}()
	}
}
