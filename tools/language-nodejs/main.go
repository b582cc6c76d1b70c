// Command pulumi-language-nodejs is meridian's own minimal Node.js language host for the
// Pulumi engine.
//
// Why our own: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the Go module
// proxy this project can reach does not serve any version of it. The engine only needs a
// handful of RPCs to run a Node.js program (`pulumi up`/`preview`/`destroy`) and a Node.js
// policy pack (`--policy-pack`); this host implements exactly those, on top of the
// published github.com/pulumi/pulumi/sdk/v3 module at the CLI's version:
//
//   - Handshake, GetPluginInfo, Cancel
//   - GetRequiredPackages / GetRequiredPlugins (scan node_modules for Pulumi resource packages)
//   - Run: node <@pulumi/pulumi/cmd/run> --monitor ... <entrypoint>
//   - RunPlugin (policy packs): node <@pulumi/pulumi/cmd/run-policy-pack> <engine> <pack dir>
//   - GetProgramDependencies, About (best effort)
//
// Everything else (code generation, InstallDependencies, Pack, Link, debugging, bun) answers
// Unimplemented: install node_modules yourself with npm before running pulumi.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/shlex"
	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// exitCodeUserActionable is the exit code @pulumi/pulumi's run script uses after it has
// already printed an actionable message; the engine should bail without more output.
const exitCodeUserActionable = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	cancelCtx     context.Context
	cancel        context.CancelFunc
}

type options struct {
	typescript   bool
	tsconfigpath string
	nodeargs     []string
}

func parseOptions(m map[string]any) (options, error) {
	o := options{typescript: true}
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return o, errors.New("typescript option must be a boolean")
		}
		o.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("tsconfig option must be a string")
		}
		o.tsconfigpath = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("nodeargs option must be a string")
		}
		args, err := shlex.Split(s)
		if err != nil {
			return o, err
		}
		o.nodeargs = args
	}
	return o, nil
}

// resolveModule asks node (from dir) where a module lives, so the program's own copy of
// @pulumi/pulumi is used.
func resolveModule(nodeBin, dir, mod string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) { `+
		`console.error(e.code === "MODULE_NOT_FOUND" ? "could not find %s from %s: run npm install there first" : e.message); `+
		`process.exit(1); }`, mod, mod, dir)
	cmd := exec.Command(nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Handshake(ctx context.Context,
	req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version.Version, "v")}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPackages lists the Pulumi resource packages installed in dir/node_modules
// (top level and one scope deep, which is where npm puts them).
func requiredPackages(dir string) []*pulumirpc.PackageDependency {
	var deps []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	nm := filepath.Join(dir, "node_modules")
	var pkgDirs []string
	entries, _ := os.ReadDir(nm)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "@") {
			scoped, _ := os.ReadDir(filepath.Join(nm, e.Name()))
			for _, s := range scoped {
				pkgDirs = append(pkgDirs, filepath.Join(nm, e.Name(), s.Name()))
			}
		} else if !strings.HasPrefix(e.Name(), ".") {
			pkgDirs = append(pkgDirs, filepath.Join(nm, e.Name()))
		}
	}
	for _, p := range pkgDirs {
		raw, err := os.ReadFile(filepath.Join(p, "package.json"))
		if err != nil {
			continue
		}
		var pj packageJSON
		if json.Unmarshal(raw, &pj) != nil || !pj.Pulumi.Resource {
			continue
		}
		name := pj.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(pj.Name, "@pulumi/")
		}
		v := pj.Pulumi.Version
		if v == "" {
			v = pj.Version
		}
		v = "v" + strings.TrimPrefix(v, "v")
		key := name + "@" + v
		if seen[key] {
			continue
		}
		seen[key] = true
		deps = append(deps, &pulumirpc.PackageDependency{
			Kind: string(apitype.ResourcePlugin), Name: name, Version: v, Server: pj.Pulumi.Server,
		})
	}
	return deps
}

func (h *host) GetRequiredPackages(_ context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{
		Packages: requiredPackages(req.GetInfo().GetProgramDirectory()),
	}, nil
}

func (h *host) GetRequiredPlugins(_ context.Context,
	req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram() //nolint:staticcheck // older engines
	}
	var plugins []*pulumirpc.PluginDependency
	for _, d := range requiredPackages(dir) {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) GetProgramDependencies(_ context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	raw, err := os.ReadFile(filepath.Join(req.GetInfo().GetProgramDirectory(), "package.json"))
	if err != nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	_ = json.Unmarshal(raw, &pj)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for n, v := range pj.Dependencies {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: n, Version: v})
	}
	return resp, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "meridian minimal host"},
	}, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	fail := func(err error) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if h.engineAddress == "" {
		return nil, errors.New("the engine must call Handshake (or pass its address) before Run")
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fail(fmt.Errorf("could not find node on the $PATH: %w", err))
	}
	info := req.GetInfo()
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return fail(err)
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runPath, err = resolveModule(nodeBin, info.GetProgramDirectory(), runPath)
	if err != nil {
		return fail(err)
	}

	cfg := map[string]string{}
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return fail(err)
		}
		// @pulumi/pulumi accepts both <pkg>:<name> and the older <pkg>:config:<name>.
		cfg[key.Namespace()+":config:"+key.Name()] = v
	}
	cfgJSON, _ := json.Marshal(cfg)
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, _ := json.Marshal(secretKeys)

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	// The real monitor is passed straight through: without --sync the SDK only uses
	// asynchronous invokes, which is all current @pulumi/* packages need.
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env := append(os.Environ(), "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath)
	}

	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	context.AfterFunc(ctx, cmdCancel)
	cmd := exec.CommandContext(cmdCtx, nodeBin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode, so never hand it our own fds.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	logging.V(5).Infof("meridian language host running: %s", cmd)
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return fail(fmt.Errorf("Program exited with non-zero exit code: %d", ee.ExitCode()))
		}
		return fail(fmt.Errorf("Problem executing program (could not run node): %w", err))
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin runs Node.js plugins; the engine uses it for policy packs (kind=analyzer).
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	info := req.GetInfo()
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return err
	}
	env := req.GetEnv()
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath)
	}
	isPolicy := req.GetKind() == string(apitype.AnalyzerPlugin)
	runPath := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicy {
		runPath = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	runPath, err = resolveModule(nodeBin, info.GetProgramDirectory(), runPath)
	if err != nil {
		return err
	}
	args := []string{runPath}
	args = append(args, opts.nodeargs...)
	if isPolicy {
		// Policy packs take the engine address first and their own directory last.
		args = append(args, req.GetArgs()...)
		args = append(args, info.GetProgramDirectory())
	} else {
		args = append(args, info.GetProgramDirectory())
		args = append(args, req.GetArgs()...)
	}

	var proxy *sdk.PolicyProxy
	if isPolicy {
		// The proxy answers the engine's ConfigureStack itself so the stack settings can be
		// handed to the pack through its environment, then forwards to the real pack.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		cfg, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if cfg != nil {
			put := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			put("PULUMI_NODEJS_ORGANIZATION", cfg.Organization)
			put("PULUMI_NODEJS_PROJECT", cfg.Project)
			put("PULUMI_NODEJS_STACK", cfg.Stack)
			put("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.DryRun))
			if cfg.Config != nil {
				b, err := json.Marshal(cfg.Config)
				if err != nil {
					return err
				}
				put("PULUMI_CONFIG", string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	if isPolicy {
		cmd.Dir = info.GetProgramDirectory()
	} else {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	logging.V(5).Infof("meridian language host running plugin: %s", cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	if proxy != nil {
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("could not attach policy pack proxy: %w", err)
		}
	} else if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if st, ok := ee.Sys().(syscall.WaitStatus); ok {
				return fmt.Errorf("Program exited with non-zero exit code: %d", st.ExitStatus())
			}
		}
		return fmt.Errorf("plugin program failed: %w", err)
	}
	return closer.Close()
}

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	runtime := flag.String("runtime", "nodejs", "only nodejs is supported")
	showVersion := flag.Bool("version", false, "Print the plugin version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	if *runtime != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime: %s", *runtime))
	}
	logging.InitLogging(false, 0, false)
	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelCh := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancelCh)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check: %w", err))
		}
	}
	hctx, hcancel := context.WithCancel(context.Background())
	h := &host{engineAddress: engineAddress, tracing: *tracing, cancelCtx: hctx, cancel: hcancel}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelCh,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}
