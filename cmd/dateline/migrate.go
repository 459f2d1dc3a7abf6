package main

import (
	"context"
	"fmt"
	"log/slog"

	"dateline/internal/config"
)

func (e env) migrate(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("migrate", "Bring the database schema up to date and exit.")
	cfg.Register(fs, e.lookup, config.Database)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	db, err := openAndMigrate(ctx, cfg.Database, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database %s is at schema version %d\n", db.Name(), cur)
	return nil
}
