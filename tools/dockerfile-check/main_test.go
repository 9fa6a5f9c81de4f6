package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const base = "node:24.22.3-bookworm-slim"

const validDockerfile = `FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY a/package.json a/
RUN npm ci
COPY a/ a/
RUN npm run build && npm prune --omit=dev

FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/a/package.json a/
COPY --from=build /app/a/dist/src a/dist/src/
COPY run.mjs ./
USER node
`

// repo lays out a tiny npm workspace as it is after `npm ci && npm run build`.
func repo(t *testing.T, dockerfile, dockerignore string) options {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":          dockerfile,
		".dockerignore":       dockerignore,
		"package.json":        `{"workspaces":["a"]}`,
		"package-lock.json":   `{}`,
		"run.mjs":             ``,
		".env":                `SECRET=1`,
		"a/package.json":      `{"name":"@s/a","main":"./dist/src/main.js"}`,
		"a/src/main.ts":       ``,
		"a/dist/src/main.js":  ``,
		"node_modules/x/p.js": ``,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "node_modules/@s"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../a", filepath.Join(dir, "node_modules/@s/a")); err != nil {
		t.Fatal(err)
	}
	return options{
		Dockerfile: filepath.Join(dir, "Dockerfile"),
		Context:    dir,
		Base:       base,
		User:       "node",
		Env:        []string{"NODE_ENV=production"},
		Install:    "npm ci",
		Manifests:  []string{"package.json", "package-lock.json", "a/package.json"},
		Require:    []string{"a/package.json", "a/dist/src/main.js", "node_modules/x/p.js", "run.mjs"},
		MustIgnore: []string{"a/dist", "node_modules", ".env"},
	}
}

const goodIgnore = "**/node_modules\n**/dist\n.env\n"

func TestDockerfileCheck(t *testing.T) {
	cases := []struct {
		name        string
		edit        func(string) string
		ignore      string
		wantProblem string // "" = valid
	}{
		{name: "valid", edit: func(s string) string { return s }},
		{name: "unpinned base", wantProblem: "expected exactly " + base,
			edit: func(s string) string {
				return strings.Replace(s, "FROM node:24.22.3-bookworm-slim AS runtime", "FROM node:24 AS runtime", 1)
			}},
		{name: "runs as root", wantProblem: `runs as "root", expected USER node`,
			edit: func(s string) string { return strings.Replace(s, "USER node\n", "", 1) }},
		{name: "no NODE_ENV", wantProblem: "ENV NODE_ENV=production expected",
			edit: func(s string) string { return strings.Replace(s, "ENV NODE_ENV=production\n", "", 1) }},
		{name: "sources before npm ci", wantProblem: `a is copied before "npm ci"`,
			edit: func(s string) string {
				return strings.Replace(s, "COPY a/package.json a/\nRUN npm ci\nCOPY a/ a/\n", "COPY a/ a/\nRUN npm ci\n", 1)
			}},
		{name: "manifest missing before npm ci", wantProblem: `a/package.json is not copied before "npm ci"`,
			edit: func(s string) string {
				return strings.Replace(s, "COPY a/package.json a/\nRUN npm ci", "RUN npm ci", 1)
			}},
		{name: "required file not copied", wantProblem: "final image lacks /app/a/package.json",
			edit: func(s string) string { return strings.Replace(s, "COPY --from=build /app/a/package.json a/\n", "", 1) }},
		{name: "copy of a path the build never makes", wantProblem: "/app/a/lib: a/lib does not exist after the build",
			edit: func(s string) string { return s + "COPY --from=build /app/a/lib a/lib/\n" }},
		{name: "copy of a context file the build stage never copied", wantProblem: "stage build never copies run.mjs",
			edit: func(s string) string {
				return strings.Replace(s, "COPY run.mjs ./", "COPY --from=build /app/run.mjs ./", 1)
			}},
		{name: "copy of an ignored context file", wantProblem: "COPY .env: not in the build context",
			edit: func(s string) string { return s + "COPY .env ./\n" }},
		{name: "unknown stage", wantProblem: "COPY --from=builder: not an earlier stage",
			edit: func(s string) string {
				return strings.Replace(s, "--from=build /app/node_modules", "--from=builder /app/node_modules", 1)
			}},
		{name: "dangling workspace link", wantProblem: "symlink /app/node_modules/@s/a -> ../../a: /app/a is not in the final image",
			edit: func(s string) string {
				s = strings.Replace(s, "COPY --from=build /app/a/package.json a/\n", "", 1)
				return strings.Replace(s, "COPY --from=build /app/a/dist/src a/dist/src/\n", "", 1)
			}},
		{name: "dist ignored only at the top", ignore: "**/node_modules\ndist\n.env\n", wantProblem: ".dockerignore does not exclude a/dist",
			edit: func(s string) string { return s }},
		{name: "stage not mirroring the context", wantProblem: "does not mirror the context",
			edit: func(s string) string { return strings.Replace(s, "COPY a/ a/\n", "COPY a/ src/\n", 1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ignore := tc.ignore
			if ignore == "" {
				ignore = goodIgnore
			}
			o := repo(t, tc.edit(validDockerfile), ignore)
			_, problems, err := check(o)
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(problems, "\n")
			if tc.wantProblem == "" {
				if len(problems) > 0 {
					t.Fatalf("want valid, got:\n%s", joined)
				}
				return
			}
			if !strings.Contains(joined, tc.wantProblem) {
				t.Fatalf("want a problem containing %q, got:\n%s", tc.wantProblem, joined)
			}
		})
	}
}

// An image that takes a binary from a pinned image (--copy-from-image) on a base matched by a
// pattern (--base-regexp), as jaeger/Dockerfile does.
const imageCopyDockerfile = `FROM debian:bookworm-20260202-slim
RUN apt-get update && apt-get install -y gocryptfs
COPY --from=vendor/app:1.2.3 /cmd/app/app-linux /cmd/app/app-linux
COPY --chmod=0755 run.mjs /usr/local/bin/
ENV LISTEN=0.0.0.0
USER root
ENTRYPOINT ["/usr/local/bin/run.mjs"]
`

func TestCopyFromImage(t *testing.T) {
	cases := []struct {
		name        string
		edit        func(string) string
		wantProblem string // "" = valid
	}{
		{name: "valid", edit: func(s string) string { return s }},
		{name: "image not allowed", wantProblem: "COPY --from=vendor/app:1.2.4: not an earlier stage of this Dockerfile (nor an image allowed",
			edit: func(s string) string { return strings.Replace(s, "vendor/app:1.2.3", "vendor/app:1.2.4", 1) }},
		{name: "base off the pattern", wantProblem: "FROM debian:bookworm-slim: expected an image matching",
			edit: func(s string) string { return strings.Replace(s, "bookworm-20260202-slim", "bookworm-slim", 1) }},
		{name: "relative source", wantProblem: "use an absolute path",
			edit: func(s string) string {
				return strings.Replace(s, " /cmd/app/app-linux /cmd", " cmd/app/app-linux /cmd", 1)
			}},
		{name: "required file from the image missing", wantProblem: "final image lacks /cmd/app/app-linux",
			edit: func(s string) string {
				return strings.Replace(s, "COPY --from=vendor/app:1.2.3 /cmd/app/app-linux /cmd/app/app-linux\n", "", 1)
			}},
		{name: "wrong user", wantProblem: `runs as "10001", expected USER root`,
			edit: func(s string) string { return strings.Replace(s, "USER root", "USER 10001", 1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := repo(t, tc.edit(imageCopyDockerfile), goodIgnore)
			o.Base, o.BaseRegexp = "", `debian:bookworm-\d{8}-slim`
			o.FromImages = []string{"vendor/app:1.2.3"}
			o.User, o.Env, o.Manifests = "root", []string{"LISTEN=0.0.0.0"}, nil
			o.Require = []string{"/cmd/app/app-linux", "/usr/local/bin/run.mjs"}
			o.MustIgnore = []string{".env"}
			_, problems, err := check(o)
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(problems, "\n")
			if tc.wantProblem == "" {
				if len(problems) > 0 {
					t.Fatalf("want valid, got:\n%s", joined)
				}
				return
			}
			if !strings.Contains(joined, tc.wantProblem) {
				t.Fatalf("want a problem containing %q, got:\n%s", tc.wantProblem, joined)
			}
		})
	}
}
