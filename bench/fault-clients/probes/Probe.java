// Java HttpClient probe: request timeout 3 s, BodyHandlers.ofString(). One output line.
// usage: java Probe.java [--upload] URL
import java.net.URI;
import java.net.http.*;
import java.time.Duration;

public class Probe {
    public static void main(String[] args) {
        boolean upload = args.length > 1 && args[0].equals("--upload");
        String url = args[args.length - 1];
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3));
            if (upload) b.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5 * 1024 * 1024]));
            else b.GET();
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("ok status=" + r.statusCode() + " body_len=" + r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        } catch (Throwable e) {
            StringBuilder s = new StringBuilder(e.getClass().getName() + ": " + e.getMessage());
            Throwable c = e.getCause(); int d = 0;
            while (c != null && c != e && d++ < 4) {
                // skip a cause that merely repeats its wrapper (send() rethrows the async cause)
                boolean same = c.getClass() == e.getClass() && String.valueOf(c.getMessage()).equals(String.valueOf(e.getMessage()));
                if (!same) s.append(" <- cause ").append(c.getClass().getName()).append(": ").append(c.getMessage());
                e = c; c = c.getCause();
            }
            System.out.println(s.toString().replaceAll("\\s+", " "));
        }
        System.exit(0);
    }
}
