package desk

import (
	"context"
	"errors"
	"sync"
)

// lanes deliver the desk's work concurrently, one lane per destination (a
// staff group, a person): each lane goes through its jobs in order, at its
// destination's pace (the sender waits for that chat's limit), and no
// lane waits for another. One person's nineteen messages then take their
// nineteen seconds in their own lane while another módulo's new ticket is
// posted at once in its group's.
//
// A round reads what is due and dispatches it; it does not wait for the
// deliveries. So that the next round does not dispatch again what is
// still being delivered — or what was delivered after the round read it —
// each job names the keys it settles ("relay:12"): a key is busy while its
// job is queued or running, and stays busy for the rest of any round that
// began before the job finished.
type lanes struct {
	mu     sync.Mutex
	lanes  map[string]*lane
	busy   map[string]int64 // key → 0 while in flight, else the seq it finished at
	seq    int64
	wg     sync.WaitGroup
	onFail func(error)
}

type lane struct {
	jobs []job
}

// job is one delivery and what it records.
type job struct {
	dest string
	keys []string
	run  func(ctx context.Context) error
}

func newLanes(onFail func(error)) *lanes {
	return &lanes{lanes: map[string]*lane{}, busy: map[string]int64{}, onFail: onFail}
}

// begin starts a round: it returns the round's mark for busy, and forgets
// keys finished before the previous round began (no round reads older).
func (l *lanes) begin(prev int64) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, at := range l.busy {
		if at != 0 && at <= prev {
			delete(l.busy, k)
		}
	}
	l.seq++
	return l.seq
}

// isBusy reports whether any of keys is queued, running, or finished
// after the round marked since began.
func (l *lanes) isBusy(since int64, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if at, ok := l.busy[k]; ok && (at == 0 || at > since) {
			return true
		}
	}
	return false
}

// dispatch queues j in its destination's lane, unless one of its keys is
// busy; it reports whether it did.
func (l *lanes) dispatch(ctx context.Context, since int64, j job) bool {
	if l.isBusy(since, j.keys...) {
		return false
	}
	l.mu.Lock()
	for _, k := range j.keys {
		l.busy[k] = 0
	}
	ln := l.lanes[j.dest]
	start := ln == nil
	if start {
		ln = &lane{}
		l.lanes[j.dest] = ln
		l.wg.Add(1)
	}
	ln.jobs = append(ln.jobs, j)
	l.mu.Unlock()
	if start {
		go l.drain(ctx, j.dest, ln)
	}
	return true
}

// drain runs a lane's jobs until it is empty. A job's error that is not
// about a send (the store failed) is reported; a lost lease or an ended
// context drops what is left, for the next round (or process) to pick up.
func (l *lanes) drain(ctx context.Context, dest string, ln *lane) {
	defer l.wg.Done()
	drop := false
	for {
		l.mu.Lock()
		if len(ln.jobs) == 0 {
			delete(l.lanes, dest)
			l.mu.Unlock()
			return
		}
		j := ln.jobs[0]
		ln.jobs[0] = job{}
		ln.jobs = ln.jobs[1:]
		l.mu.Unlock()
		if !drop && ctx.Err() == nil {
			if err := j.run(ctx); err != nil {
				if errors.Is(err, errLeaseLost) || ctx.Err() != nil {
					drop = true
				} else {
					l.onFail(err)
				}
			}
		}
		l.mu.Lock()
		l.seq++
		for _, k := range j.keys {
			l.busy[k] = l.seq
		}
		l.mu.Unlock()
	}
}

// wait returns once every lane is empty.
func (l *lanes) wait() { l.wg.Wait() }
