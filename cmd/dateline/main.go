// Command dateline runs a newspaper's website: the reading site, its
// database migrations and its tools, in one binary.
//
//	dateline [serve] [flags]        serve the site (the default)
//	dateline migrate [flags]        bring the database schema up to date
//	dateline user create …          create an account
//	dateline user password …        replace an account's password
//	dateline token create …         make an API token for a member of staff
//	dateline backup FILE            copy the SQLite database
//	dateline restore FILE           replace the SQLite database with a copy
//	dateline version                print the version
//	dateline help                   list the commands
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	// The IANA time zone database, built in: --time-zone and the site's
	// settings name zones, and a machine without /usr/share/zoneinfo (a
	// minimal container) must know them all the same.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=…"; without it
// the module version or VCS revision from the build information is used.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// env is the process environment, passed in so tests can set their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, lookup: lookup}
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	if len(args) > 0 && isHelp(args[0]) {
		// The commands first, then the flags of the default one.
		usage(stderr)
		fmt.Fprintln(stderr)
	}
	var err error
	switch cmd {
	case "serve":
		err = e.serve(ctx, rest)
	case "migrate":
		err = e.migrate(ctx, rest)
	case "user":
		err = e.user(ctx, rest)
	case "token":
		err = e.token(ctx, rest)
	case "backup":
		err = e.backup(ctx, rest)
	case "restore":
		err = e.restore(ctx, rest)
	case "version":
		fmt.Fprintln(stdout, "dateline", versionString())
	case "help":
		usage(stdout)
	default:
		fmt.Fprintf(stderr, "dateline: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		// One line, whatever the error carries.
		fmt.Fprintln(stderr, "dateline:", strings.Join(strings.Fields(err.Error()), " "))
		return 1
	}
}

// errUsage marks a command line that could not be parsed; the flag package
// has already said why.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprint(w, `Dateline: a newspaper's website in one binary.

Usage: dateline COMMAND [flags]

Commands:
  serve            serve the site (the default command); try --demo for a sample paper
  migrate          apply database migrations and exit
  user create      create an account for a member of staff or a reader
  user password    replace an account's password and sign it out everywhere
  token create     make an API token for a member of staff and print it
  backup FILE      write a consistent copy of the SQLite database to FILE
  restore FILE     replace the SQLite database with a backup
  version          print the version
  help             print this list

Run "dateline COMMAND --help" for the flags of a command. Every flag has an
environment variable of the same meaning; the flag wins when both are set.
`)
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// newFlagSet makes a flag set that reports errors instead of exiting.
func (e env) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: dateline %s [flags]\n\n%s\n", name, synopsis)
		// The command's own flags; the settings (which config.Register
		// defines without a usage) follow with their environment variables.
		heading := false
		fs.VisitAll(func(f *flag.Flag) {
			if f.Usage == "" {
				return
			}
			if !heading {
				fmt.Fprintln(out, "\nFlags:")
				heading = true
			}
			kind, usage := flag.UnquoteUsage(f)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				kind = ""
			}
			fmt.Fprintln(out, "  --"+strings.TrimSpace(f.Name+" "+kind))
			fmt.Fprintf(out, "        %s\n", usage)
		})
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
