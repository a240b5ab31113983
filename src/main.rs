fn main() {
    probe_explorer_web::start();
}
