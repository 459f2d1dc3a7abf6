package main

import (
	"context"
	"dateline/internal/clock"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"dateline/internal/config"
	"dateline/internal/store"
)

func (e env) backup(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("backup FILE", "Write a consistent copy of the SQLite database to FILE while the site keeps running.\n"+
		"For PostgreSQL use pg_dump (see docs/deploy.md).")
	cfg.Register(fs, e.lookup, config.Database)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "Usage: dateline backup [--database PATH] FILE")
		return errUsage
	}
	cfg.Addr = "localhost:8080"
	if err := cfg.Finish(); err != nil {
		return err
	}
	db, err := openAndMigrate(ctx, cfg.Database, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	target := fs.Arg(0)
	if err := db.Backup(ctx, target); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", db.Name(), target)
	return nil
}

func (e env) restore(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("restore FILE", "Replace the SQLite database with a backup made by \"dateline backup\".\n"+
		"Stop every Dateline using the database first; --force is needed to replace an existing database.")
	cfg.Register(fs, e.lookup, config.Database)
	force := fs.Bool("force", false, "replace an existing database")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "Usage: dateline restore [--database PATH] [--force] FILE")
		return errUsage
	}
	if config.IsPostgres(cfg.Database) {
		return errors.New("restore PostgreSQL with pg_restore (see docs/deploy.md)")
	}
	source := fs.Arg(0)
	if fi, err := os.Stat(source); err != nil || fi.IsDir() {
		return fmt.Errorf("no backup file %s", source)
	}
	// The backup must be a Dateline database that opens and migrates.
	check, err := store.Open(ctx, source, clock.System)
	if err != nil {
		return fmt.Errorf("backup %s: %w", source, err)
	}
	cur, latest, err := check.SchemaVersion(ctx)
	_ = check.Close() // opened only to read the version
	if err != nil || cur == 0 || cur > latest {
		return fmt.Errorf("%s is not a Dateline database this version can use", source)
	}
	if _, err := os.Stat(cfg.Database); err == nil && !*force {
		return fmt.Errorf("%s exists; stop every Dateline using it, then run restore again with --force", cfg.Database)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(cfg.Database + suffix); err == nil && !*force {
			return fmt.Errorf("%s looks in use (%s exists); stop Dateline and use --force", cfg.Database, cfg.Database+suffix)
		}
		// A leftover of a stopped database; it must not pair with the restored file.
		if err := os.Remove(cfg.Database + suffix); err != nil && !errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	tmp := filepath.Join(filepath.Dir(cfg.Database), ".restore-"+filepath.Base(cfg.Database))
	if err := copyFile(source, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, cfg.Database); err != nil {
		_ = os.Remove(tmp) // the rename's error is the one to report
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s from %s\n", cfg.Database, source)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from) // #nosec G304 -- the operator names the file on the command line
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to) // #nosec G304 -- the operator names the file on the command line
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close() // the copy's error is the one to report
		_ = os.Remove(to)
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close() // the sync's error is the one to report
		return err
	}
	return out.Close()
}
