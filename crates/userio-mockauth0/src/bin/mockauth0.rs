//! `mockauth0`: runs the mock tenant until killed, for the Python and Node binding tests.
//!
//! Prints one JSON line on stdout: `{"url": ..., "token": ..., "client_id": ..., "client_secret": ...,
//! "connection": ..., "connection_id": ...}` with a database connection `Username-Password-Authentication`
//! enabled for one application, then serves until stdin closes.

use std::io::Read;

fn main() {
    let mock = userio_mockauth0::MockAuth0::start();
    let conn = "Username-Password-Authentication";
    let id = mock.add_connection(conn, "auth0", true);
    let opts = userio_mockauth0::Options::default();
    println!(
        "{}",
        serde_json::json!({
            "url": mock.url(), "token": mock.token(),
            "client_id": opts.client_id, "client_secret": opts.client_secret,
            "connection": conn, "connection_id": id,
        })
    );
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}
