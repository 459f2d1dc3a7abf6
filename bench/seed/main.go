// Command seed fills a Dateline database with a realistic newspaper for
// load tests: stories over years in a dozen sections, with authors, tags
// and Markdown bodies; readers, subscribers and their sessions; and
// comments, most of them under recent stories. It migrates the database
// with the dateline binary first, so the schema is Dateline's own, then
// inserts with batched multi-row statements.
//
// Besides the database it writes, into --out, the files the load scripts
// read: session cookies of the subscribers, reader addresses, stories
// open for comments, search words and the pages under test. With
// --refresh it only rewrites those files (and the sessions) for a
// database seeded before.
//
//	go run ./bench/seed --database bench.db --dateline ./dateline --out bench/.work/sqlite
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	z := DefaultSizes()
	cfg := Config{Sizes: z}
	fs.StringVar(&cfg.Database, "database", "", "SQLite file path, or a postgres:// URL, as dateline's --database")
	fs.StringVar(&cfg.Dateline, "dateline", "dateline", "the dateline binary, run as `dateline migrate` first")
	fs.StringVar(&cfg.Out, "out", ".", "folder for the files the load scripts read")
	fs.IntVar(&cfg.Sizes.Stories, "stories", z.Stories, "stories")
	fs.IntVar(&cfg.Sizes.Years, "years", z.Years, "years the stories are spread over, up to now")
	fs.IntVar(&cfg.Sizes.Authors, "authors", z.Authors, "staff authors")
	fs.IntVar(&cfg.Sizes.Tags, "tags", z.Tags, "tags")
	fs.IntVar(&cfg.Sizes.Readers, "readers", z.Readers, "readers with a confirmed email address")
	fs.IntVar(&cfg.Sizes.Subscribers, "subscribers", z.Subscribers, "readers with an active subscription")
	fs.IntVar(&cfg.Sizes.Comments, "comments", z.Comments, "comments")
	fs.StringVar(&cfg.Password, "password", "read-all-about-it", "every reader's password")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed and sizes give the same text")
	refresh := fs.Bool("refresh", false, "only start new subscriber sessions and rewrite the files in --out")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Database == "" {
		return errors.New("--database is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg.Progress = os.Stderr
	start := time.Now()
	if *refresh {
		return Refresh(ctx, cfg)
	}
	if err := Run(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded in %s\n", time.Since(start).Round(time.Second))
	return nil
}
