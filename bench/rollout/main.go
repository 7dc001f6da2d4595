// Command rollout measures a rollout on one host, issue 17's figure: the firefox mix at
// 1500 requests/s through a loopback HAProxy while the serving merino-go gets SIGTERM and a
// new one starts on the same port (both with http.reuse_port). It prints the bench report;
// the figure is its failed-request count (5xx and transport errors), goal 0.
//
//	go run ./bench/rollout [-duration 40s] [-switch-after 15s]
//
// It needs haproxy (run through deploy/local/haproxy, the fleet's configuration without its
// health checks) and `make build`; weather goes to the bench's fake AccuWeather, with the
// real GeoLite2 database from ../shared/data when present. Ports: 18400 (HAProxy), 18401
// (merino), 18411 and 18412 (the two admin listeners).
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mozilla-services/merino-go/deploy/local/haproxy"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

func main() {
	duration := flag.Duration("duration", 40*time.Second, "measured duration of the load")
	switchAfter := flag.Duration("switch-after", 15*time.Second, "when, into the measured load, the old server gets SIGTERM")
	proxyPort := flag.Int("proxy-port", 18400, "HAProxy's port")
	port := flag.Int("port", 18401, "merino's port")
	newFirst := flag.Duration("new-first", 0, "start the new server this long before the SIGTERM (0: right after it)")
	flag.Parse()
	if err := run(*duration, *switchAfter, *newFirst, *proxyPort, *port); err != nil {
		fmt.Fprintln(os.Stderr, "rollout:", err)
		os.Exit(1)
	}
}

func run(duration, switchAfter, newFirst time.Duration, proxyPort, port int) error {
	if _, err := os.Stat("bin/merino"); err != nil {
		return fmt.Errorf("run `make build` in the repository root first: %w", err)
	}
	dir, err := os.MkdirTemp("", "merino-rollout-")
	if err != nil {
		return err
	}
	fmt.Println("rollout: logs in", dir)

	fake, err := weathertest.Start(weathertest.AnyCity(), weathertest.NoPaths())
	if err != nil {
		return err
	}
	defer fake.Close()
	env := []string{
		"MERINO_ENV=development", "MERINO_LOGGING__FORMAT=mozlog", "MERINO_LOGGING__LOG_SUGGEST_REQUEST=false",
		fmt.Sprintf("MERINO_HTTP__LISTEN=127.0.0.1:%d", port), "MERINO_HTTP__REUSE_PORT=true", "MERINO_HTTP__SHUTDOWN_DELAY_SEC=5",
		"MERINO_PROVIDERS__ACCUWEATHER__TYPE=accuweather", "MERINO_PROVIDERS__ACCUWEATHER__CACHE=memory",
		"MERINO_ACCUWEATHER__URL_BASE=" + fake.URL, "MERINO_ACCUWEATHER__API_KEY=" + weathertest.APIKey,
		`MERINO_LOCATION__FORWARDED_ALLOW_IPS=["127.0.0.1"]`,
	}
	if db, err := geoLite2(dir); err == nil {
		env = append(env, "MERINO_LOCATION__MAXMIND_DATABASE="+db)
	} else {
		fmt.Println("rollout: the bundled test GeoIP database (most weather answers are 204):", err)
	}

	// One backend address, where the old and the new merino-go listen in turn, and no
	// health check (it would take the only address out while the old one drains): HAProxy's
	// retries carry a request whose connection fails or closes unanswered.
	proxy, err := haproxy.Start(haproxy.Config{
		Listen: fmt.Sprintf("127.0.0.1:%d", proxyPort), Dir: dir,
		Servers: []haproxy.Server{{Name: "merino", Addr: fmt.Sprintf("127.0.0.1:%d", port)}},
	})
	if err != nil {
		return err
	}
	defer proxy.Close()

	old, err := startMerino(env, 18411, filepath.Join(dir, "old.log"))
	if err != nil {
		return err
	}
	defer old.Process.Kill()
	if err := waitOK(fmt.Sprintf("http://127.0.0.1:%d/__lbheartbeat__", proxyPort)); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}

	bench := exec.Command("go", "run", "./bench", "run", "--url", fmt.Sprintf("http://127.0.0.1:%d", proxyPort),
		"--scenario", "firefox", "--rate", "1500", "--duration", duration.String(), "--warmup", "5s",
		"--target-rps", "0", "--target-p95", "0", "--out", filepath.Join(dir, "bench"))
	bench.Stdout, bench.Stderr = os.Stdout, os.Stderr
	if err := bench.Start(); err != nil {
		return err
	}
	time.Sleep(5*time.Second + switchAfter - newFirst)
	var fresh *exec.Cmd
	if newFirst > 0 {
		fmt.Println("rollout: starting the new server on the same port")
		if fresh, err = startMerino(env, 18412, filepath.Join(dir, "new.log")); err != nil {
			return err
		}
		defer fresh.Process.Kill()
		time.Sleep(newFirst)
	}
	fmt.Println("rollout: SIGTERM to the old server")
	if err := old.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if fresh == nil {
		fmt.Println("rollout: starting the new server on the same port")
		if fresh, err = startMerino(env, 18412, filepath.Join(dir, "new.log")); err != nil {
			return err
		}
		defer fresh.Process.Kill()
	}
	if err := old.Wait(); err != nil {
		fmt.Println("rollout: the old server exited:", err)
	} else {
		fmt.Println("rollout: the old server drained and exited 0")
	}
	benchErr := bench.Wait()
	fresh.Process.Signal(syscall.SIGTERM)
	fresh.Wait()
	return benchErr
}

// startMerino starts bin/merino with env and its admin listener on adminPort, and waits
// until it logs that it serves.
func startMerino(env []string, adminPort int, logPath string) (*exec.Cmd, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("bin/merino", "serve")
	cmd.Env = append(append(os.Environ(), env...), fmt.Sprintf("MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:%d", adminPort))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, _ := os.ReadFile(logPath); strings.Contains(string(b), `"msg":"serving"`) {
			return cmd, nil
		}
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("merino did not start; see %s", logPath)
}

func waitOK(url string) error {
	var err error
	for i := 0; i < 100; i++ {
		var resp *http.Response
		if resp, err = http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("%s: %d", url, resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// geoLite2 decompresses the shared GeoLite2 City database into dir (its licence allows tests
// and benchmarks, never a copy in the repository).
func geoLite2(dir string) (string, error) {
	in, err := os.Open(filepath.Join("..", "shared", "data", "geoip", "geolite2-city-official", "GeoLite2-City.mmdb.gz"))
	if err != nil {
		return "", err
	}
	defer in.Close()
	zr, err := gzip.NewReader(bufio.NewReader(in))
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "GeoLite2-City.mmdb")
	out, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return "", err
	}
	return dst, out.Close()
}
