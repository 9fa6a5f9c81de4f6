// Command dockerfile-check checks a Dockerfile without a Docker engine, with BuildKit's own
// Dockerfile parser (github.com/moby/buildkit/frontend/dockerfile) and .dockerignore matcher
// (github.com/moby/patternmatcher), the code `docker build` itself runs.
//
// What it checks:
//   - the file parses, without parser warnings or BuildKit's parse-time lint findings;
//   - every FROM is an earlier stage or exactly the image given by --base (a pinned tag), or
//     an image matching --base-regexp (a policy such as "a dated Debian bookworm tag");
//   - the last stage, which `docker build` and compose build, ends as --user and sets every --env;
//   - COPY/ADD from the build context: each source exists and .dockerignore keeps it;
//   - COPY --from=<image>: only an image named exactly by --copy-from-image (pinned by the caller);
//     what it copies cannot be looked up without an engine, so it counts as present in the image;
//   - COPY --from=<stage>: the stage is an earlier one, built from the context mirrored under its
//     WORKDIR (checked), so each source path exists in the context after a local build (the
//     caller runs the build first); a source that .dockerignore keeps must have been copied
//     into that stage, one it excludes counts as produced by the stage's RUNs (dist/, node_modules);
//   - --manifest: the only context files copied before the first RUN containing --install;
//   - --require: paths (relative to the last stage's WORKDIR) present in the final image, and
//     every symlink inside a directory copied into the final image resolves inside the image;
//   - --must-ignore: context paths .dockerignore excludes (secrets, local builds).
//
// Paths are taken literally: wildcards, variables and COPY --parents are reported as unsupported.
//
// Exit status: 0 valid, 1 problems found, 2 usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type options struct {
	Dockerfile string
	Context    string
	Base       string   // expected image of every FROM that is not a stage
	BaseRegexp string   // or: a pattern every such image must match (whole reference)
	FromImages []string // images COPY --from may name (besides earlier stages)
	User       string   // expected final USER
	Env        []string // KEY=VALUE the final stage must set
	Install    string   // substring of the RUN that installs dependencies
	Manifests  []string // context paths copied before that RUN, and nothing else
	Require    []string // paths that must exist in the final image
	MustIgnore []string // context paths .dockerignore must exclude
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("dockerfile-check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var o options
	var env, manifests, require, mustIgnore, fromImages stringList
	fset.StringVar(&o.Dockerfile, "f", "Dockerfile", "Dockerfile to check")
	fset.StringVar(&o.Context, "context", "", "build context directory (default: the Dockerfile's directory)")
	fset.StringVar(&o.Base, "base", "", "image every non-stage FROM must name exactly, e.g. node:24.22.3-bookworm-slim (this or --base-regexp is required)")
	fset.StringVar(&o.BaseRegexp, "base-regexp", "", `pattern every non-stage FROM must match as a whole, e.g. 'debian:bookworm-\d{8}-slim'`)
	fset.Var(&fromImages, "copy-from-image", "image COPY --from may name, exactly, e.g. jaegertracing/jaeger:2.13.0 (repeatable)")
	fset.StringVar(&o.User, "user", "node", "USER the final stage must end with")
	fset.Var(&env, "env", "KEY=VALUE the final stage must set with ENV (repeatable)")
	fset.StringVar(&o.Install, "install", "npm ci", "text of the RUN that installs dependencies (for --manifest)")
	fset.Var(&manifests, "manifest", "context path copied before the install RUN (repeatable); nothing else may be")
	fset.Var(&require, "require", "path, relative to the final WORKDIR or absolute, that must exist in the final image (repeatable)")
	fset.Var(&mustIgnore, "must-ignore", "context path that .dockerignore must exclude (repeatable)")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fset.NArg() > 0 || (o.Base == "") == (o.BaseRegexp == "") {
		fmt.Fprintln(stderr, "usage: dockerfile-check -f Dockerfile (--base IMAGE | --base-regexp RE) [--context DIR] [--user U] [--env K=V]... [--manifest P]... [--copy-from-image IMAGE]... [--require P]... [--must-ignore P]...")
		return 2
	}
	o.Env, o.Manifests, o.Require, o.MustIgnore, o.FromImages = env, manifests, require, mustIgnore, fromImages
	if o.Context == "" {
		o.Context = filepath.Dir(o.Dockerfile)
	}

	summary, problems, err := check(o)
	if err != nil {
		fmt.Fprintf(stderr, "dockerfile-check: %s: %v\n", o.Dockerfile, err)
		return 2
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "dockerfile-check: %s: INVALID (%d problems)\n", o.Dockerfile, len(problems))
		for _, p := range problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(stdout, "dockerfile-check: %s: OK (%s)\n", o.Dockerfile, summary)
	return 0
}

// mapping says that image path image holds the context path ctx (a directory's contents when dir).
type mapping struct {
	image       string
	ctx         string // slash-separated, relative to the context; "." is the context itself
	dir         bool
	fromContext bool // copied from the build context (so .dockerignore applies), else from a stage
	fromImage   bool // copied from an image (--copy-from-image): taken as present, not checked
	line        int
}

type stage struct {
	name     string
	index    int
	workdir  string
	user     string
	env      map[string]string
	mappings []mapping
}

type checker struct {
	o        options
	baseRe   *regexp.Regexp
	ignore   *patternmatcher.PatternMatcher
	problems []string
}

func (c *checker) problem(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	c.problems = append(c.problems, msg)
}

func check(o options) (string, []string, error) {
	c := &checker{o: o}
	if o.BaseRegexp != "" {
		re, err := regexp.Compile(`^(?:` + o.BaseRegexp + `)$`)
		if err != nil {
			return "", nil, fmt.Errorf("--base-regexp: %w", err)
		}
		c.baseRe = re
	}
	data, err := os.ReadFile(o.Dockerfile)
	if err != nil {
		return "", nil, err
	}
	if err := c.loadIgnore(); err != nil {
		return "", nil, err
	}

	res, err := parser.Parse(strings.NewReader(string(data)))
	if err != nil {
		return "", nil, fmt.Errorf("parse: %w", err)
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		c.problem(line, "parser warning: %s", w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		c.problem(firstLine(loc), "lint %s: %s", rule, msg)
	}})
	parsed, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return "", nil, fmt.Errorf("parse: %w", err)
	}
	if len(metaArgs) > 0 {
		c.problem(firstLine(metaArgs[0].Location()), "ARG before FROM: base images must be written out, not parameterised")
	}
	if len(parsed) == 0 {
		return "", nil, errors.New("no FROM")
	}

	stages := make([]*stage, 0, len(parsed))
	installSeen := false
	var bases []string
	for i, ps := range parsed {
		st := &stage{name: ps.Name, index: i, workdir: "/", env: map[string]string{}}
		line := firstLine(ps.Location)
		if from := c.findStage(stages, ps.BaseName); from != nil {
			// inherits the earlier stage's state
			st.workdir, st.user = from.workdir, from.user
			for k, v := range from.env {
				st.env[k] = v
			}
			st.mappings = append(st.mappings, from.mappings...)
			bases = append(bases, fmt.Sprintf("%s <- %s", label(st), label(from)))
		} else {
			switch {
			case c.baseRe != nil && !c.baseRe.MatchString(ps.BaseName):
				c.problem(line, "FROM %s: expected an image matching %s", ps.BaseName, o.BaseRegexp)
			case c.baseRe == nil && ps.BaseName != o.Base:
				c.problem(line, "FROM %s: expected exactly %s (the pinned Node of the native stack and CI)", ps.BaseName, o.Base)
			}
			bases = append(bases, fmt.Sprintf("%s <- %s", label(st), ps.BaseName))
		}
		if ps.Platform != "" {
			c.problem(line, "FROM --platform=%s: not expected", ps.Platform)
		}
		for _, cmd := range ps.Commands {
			c.command(st, stages, cmd, &installSeen)
		}
		stages = append(stages, st)
	}
	if len(o.Manifests) > 0 && !installSeen {
		c.problem(0, "no RUN contains %q: the manifests-first install layer is missing", o.Install)
	}

	final := stages[len(stages)-1]
	if final.user != o.User {
		c.problem(0, "final stage %s runs as %q, expected USER %s", label(final), orRoot(final.user), o.User)
	}
	for _, kv := range o.Env {
		k, v, _ := strings.Cut(kv, "=")
		if got, ok := final.env[k]; !ok || got != v {
			c.problem(0, "final stage %s: ENV %s=%s expected, got %q", label(final), k, v, got)
		}
	}
	for _, r := range o.Require {
		p := r
		if !path.IsAbs(p) {
			p = path.Join(final.workdir, p)
		}
		if !c.inImage(final, path.Clean(p)) {
			c.problem(0, "final image lacks %s (required; not copied, or missing in the context after the build)", p)
		}
	}
	c.checkSymlinks(final)
	for _, p := range o.MustIgnore {
		if !c.ignored(p) {
			c.problem(0, ".dockerignore does not exclude %s", p)
		}
	}
	sort.Strings(c.problems)
	c.problems = slices.Compact(c.problems)
	sum := fmt.Sprintf("%s; final user %s; %d required paths present", strings.Join(bases, ", "), final.user, len(o.Require))
	return sum, c.problems, nil
}

// command applies one instruction to the stage model.
func (c *checker) command(st *stage, earlier []*stage, cmd instructions.Command, installSeen *bool) {
	line := firstLine(cmd.Location())
	switch x := cmd.(type) {
	case *instructions.WorkdirCommand:
		if strings.Contains(x.Path, "$") {
			c.problem(line, "WORKDIR %s: variables are not supported by this check", x.Path)
			return
		}
		st.workdir = absIn(st.workdir, x.Path)
	case *instructions.UserCommand:
		st.user = x.User
	case *instructions.EnvCommand:
		for _, kv := range x.Env {
			st.env[kv.Key] = kv.Value
		}
	case *instructions.RunCommand:
		cmdline := strings.Join(x.CmdLine, " ")
		if len(c.o.Manifests) > 0 && !*installSeen && strings.Contains(cmdline, c.o.Install) {
			*installSeen = true
			c.checkManifests(st, line)
		}
	case *instructions.CopyCommand:
		if x.Parents || len(x.ExcludePatterns) > 0 {
			c.problem(line, "COPY --parents/--exclude: not supported by this check")
			return
		}
		c.copy(st, earlier, x.From, x.SourcesAndDest, line)
	case *instructions.AddCommand:
		for _, s := range x.SourcePaths {
			if strings.Contains(s, "://") || strings.HasPrefix(s, "git@") {
				c.problem(line, "ADD %s: remote sources are not allowed (nothing unpinned enters the image)", s)
				return
			}
		}
		c.copy(st, earlier, "", x.SourcesAndDest, line)
	}
}

func (c *checker) copy(st *stage, earlier []*stage, from string, sd instructions.SourcesAndDest, line int) {
	if len(sd.SourceContents) > 0 {
		return // heredoc: nothing to find on disk
	}
	dest := sd.DestPath
	if strings.Contains(dest, "$") {
		c.problem(line, "destination %s: variables are not supported by this check", dest)
		return
	}
	destAbs := absIn(st.workdir, dest)
	destIsDir := strings.HasSuffix(dest, "/") || dest == "." || len(sd.SourcePaths) > 1

	var src *stage
	if from != "" {
		src = c.findStage(earlier, from)
		if src == nil && slices.Contains(c.o.FromImages, from) {
			c.copyFromImage(st, from, sd.SourcePaths, destAbs, destIsDir, line)
			return
		}
		if src == nil {
			c.problem(line, "COPY --from=%s: not an earlier stage of this Dockerfile (nor an image allowed by --copy-from-image)", from)
			return
		}
		c.checkMirror(src)
	}
	for _, s := range sd.SourcePaths {
		if strings.ContainsAny(s, "*?[$") {
			c.problem(line, "source %s: wildcards and variables are not supported by this check", s)
			continue
		}
		var rel string
		if src == nil {
			rel = cleanRel(s)
			if !c.existsInContext(rel) {
				c.problem(line, "COPY %s: not in the build context (missing, or excluded by .dockerignore)", s)
				continue
			}
		} else {
			if !path.IsAbs(s) {
				c.problem(line, "COPY --from=%s %s: use an absolute path", from, s)
				continue
			}
			r, ok := under(src.workdir, path.Clean(s))
			if !ok {
				c.problem(line, "COPY --from=%s %s: outside that stage's WORKDIR %s, cannot be checked", from, s, src.workdir)
				continue
			}
			rel = r
			if !exists(filepath.Join(c.o.Context, filepath.FromSlash(rel))) {
				c.problem(line, "COPY --from=%s %s: %s does not exist after the build", from, s, rel)
				continue
			}
			if !c.ignored(rel) && !covered(src, rel) {
				c.problem(line, "COPY --from=%s %s: stage %s never copies %s from the context", from, s, label(src), rel)
				continue
			}
		}
		info, err := os.Stat(filepath.Join(c.o.Context, filepath.FromSlash(rel)))
		isDir := err == nil && info.IsDir()
		image := destAbs
		if !isDir && destIsDir {
			image = path.Join(destAbs, path.Base(rel))
		}
		st.mappings = append(st.mappings, mapping{image: image, ctx: rel, dir: isDir, fromContext: src == nil, line: line})
	}
}

// copyFromImage records files copied from a pinned image: absolute, literal source paths, taken as
// present (the image cannot be looked into without an engine).
func (c *checker) copyFromImage(st *stage, from string, sources []string, destAbs string, destIsDir bool, line int) {
	for _, s := range sources {
		if strings.ContainsAny(s, "*?[$") || !path.IsAbs(s) {
			c.problem(line, "COPY --from=%s %s: use an absolute path, without wildcards or variables", from, s)
			continue
		}
		image := destAbs
		if destIsDir {
			image = path.Join(destAbs, path.Base(path.Clean(s)))
		}
		st.mappings = append(st.mappings, mapping{image: image, ctx: path.Clean(s), fromImage: true, line: line})
	}
}

// checkMirror: a stage whose files are taken with COPY --from must hold the context at the same
// relative paths under its WORKDIR, so that <WORKDIR>/x in the stage is x in the context.
func (c *checker) checkMirror(src *stage) {
	for _, m := range src.mappings {
		if !m.fromContext {
			continue
		}
		want := path.Join(src.workdir, m.ctx)
		if m.image != want {
			c.problem(m.line, "stage %s copies %s to %s, not to %s: its WORKDIR does not mirror the context", label(src), m.ctx, m.image, want)
		}
	}
}

func (c *checker) checkManifests(st *stage, line int) {
	want := map[string]bool{}
	for _, m := range c.o.Manifests {
		want[cleanRel(m)] = true
	}
	got := map[string]bool{}
	for _, m := range st.mappings {
		if !m.fromContext {
			continue
		}
		got[m.ctx] = true
		if !want[m.ctx] {
			c.problem(m.line, "%s is copied before %q: any change to it reinstalls every dependency (copy only manifests first)", m.ctx, c.o.Install)
		}
	}
	var missing []string
	for m := range want {
		if !got[m] {
			missing = append(missing, m)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		c.problem(line, "%s is not copied before %q (npm ci needs every workspace manifest)", m, c.o.Install)
	}
}

// inImage tells whether path p exists in the final image, as far as the COPYs tell.
func (c *checker) inImage(st *stage, p string) bool {
	if p == "/" || p == st.workdir {
		return true
	}
	for i := len(st.mappings) - 1; i >= 0; i-- {
		m := st.mappings[i]
		if strings.HasPrefix(m.image, p+"/") {
			return true // a parent directory of something copied
		}
		var rel string
		switch {
		case p == m.image:
			rel = m.ctx
		case m.dir && strings.HasPrefix(p, m.image+"/"):
			rel = path.Join(m.ctx, strings.TrimPrefix(p, m.image+"/"))
		default:
			continue
		}
		if m.fromImage {
			if p == m.image {
				return true
			}
			continue
		}
		if m.fromContext && !c.existsInContext(rel) {
			continue
		}
		if !m.fromContext && !exists(filepath.Join(c.o.Context, filepath.FromSlash(rel))) {
			continue
		}
		return true
	}
	return false
}

// checkSymlinks: a symlink copied into the final image (node_modules/@orderscope/* -> workspaces,
// node_modules/.bin/*) must point at something that is in the image too.
func (c *checker) checkSymlinks(st *stage) {
	for _, m := range st.mappings {
		if !m.dir || m.fromImage {
			continue
		}
		root := filepath.Join(c.o.Context, filepath.FromSlash(m.ctx))
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			relInDir, _ := filepath.Rel(root, p)
			if m.fromContext && c.ignored(path.Join(m.ctx, filepath.ToSlash(relInDir))) {
				return nil
			}
			target, err := os.Readlink(p)
			if err != nil {
				return nil
			}
			at := path.Join(m.image, filepath.ToSlash(relInDir))
			if path.IsAbs(target) {
				c.problem(m.line, "symlink %s -> %s: absolute, means something else in the image", at, target)
				return nil
			}
			if t := path.Join(path.Dir(at), filepath.ToSlash(target)); !c.inImage(st, t) {
				c.problem(m.line, "symlink %s -> %s: %s is not in the final image", at, target, t)
			}
			return nil
		})
	}
}

func (c *checker) loadIgnore() error {
	var patterns []string
	f, err := os.Open(filepath.Join(c.o.Context, ".dockerignore"))
	if err == nil {
		defer f.Close()
		if patterns, err = ignorefile.ReadAll(f); err != nil {
			return fmt.Errorf(".dockerignore: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	c.ignore, err = patternmatcher.New(patterns)
	return err
}

func (c *checker) ignored(rel string) bool {
	rel = cleanRel(rel)
	if rel == "." {
		return false
	}
	//nolint:staticcheck // the same matching BuildKit applies to the context
	ok, err := c.ignore.MatchesOrParentMatches(rel)
	return err == nil && ok
}

func (c *checker) existsInContext(rel string) bool {
	return exists(filepath.Join(c.o.Context, filepath.FromSlash(rel))) && !c.ignored(rel)
}

func (c *checker) findStage(stages []*stage, name string) *stage {
	if name == "" {
		return nil
	}
	for _, s := range stages {
		if s.name != "" && strings.EqualFold(s.name, name) {
			return s
		}
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(stages) {
		return stages[i]
	}
	return nil
}

// covered: the stage copied rel (or a directory holding it) from the context.
func covered(st *stage, rel string) bool {
	for _, m := range st.mappings {
		if m.fromContext && (m.ctx == rel || m.ctx == "." || (m.dir && strings.HasPrefix(rel, m.ctx+"/"))) {
			return true
		}
	}
	return false
}

func under(dir, p string) (string, bool) {
	if p == dir {
		return ".", true
	}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	if strings.HasPrefix(p, prefix) {
		return strings.TrimPrefix(p, prefix), true
	}
	return "", false
}

func absIn(workdir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(workdir, p)
}

func cleanRel(p string) string {
	if r := strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(p)), "/"); r != "" {
		return r
	}
	return "."
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func firstLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

func label(s *stage) string {
	if s.name != "" {
		return s.name
	}
	return strconv.Itoa(s.index)
}

func orRoot(u string) string {
	if u == "" {
		return "root"
	}
	return u
}
