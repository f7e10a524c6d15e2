package main

import (
	"context"
	"time"
)

// purgeInterval is how often serve removes what is past its retention.
const purgeInterval = 24 * time.Hour

// purgeJob removes what is past its retention at start and then daily
// (the same as `acercate purge`, audited as actor "serve"). It also sets
// the configured retention on the store, which /privacidad tells people.
func purgeJob(env *serveEnv) (serveJob, error) {
	db := env.App.Store
	db.SetRetention(env.Config.Retention)
	return serveJob{Name: "purge", Run: func(ctx context.Context) error {
		return purgeEvery(ctx, db, env.Logger, purgeInterval)
	}}, nil
}
