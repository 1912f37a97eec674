<?php
// Writes to a test WordPress with WordPress's own PHP: `php tool.php` with a JSON command
// on stdin, the site's address in LISTEN_TEST_WP_URL and its Debian config name in
// LISTEN_TEST_WP_CONFIG. Prints a JSON answer on stdout.
//   {"insert": [post, ...]}                -> {"ids": [id, ...]}  (wp_insert_post)
//   {"update": post with "ID"}             -> {"id": id}          (wp_update_post)
//   {"permalinks": "/%postname%/" or ""}   -> {"permalinks": ...}
$url = parse_url(getenv('LISTEN_TEST_WP_URL'));
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['WORDPRESS_CONFIG'] = getenv('LISTEN_TEST_WP_CONFIG');
require '/usr/share/wordpress/wp-load.php';

// As the site's administrator in the editor: markup is saved as written (unfiltered_html).
wp_set_current_user(1);
$command = json_decode(file_get_contents('php://stdin'), true);
$answer = array();
if (isset($command['insert'])) {
    $answer['ids'] = array();
    foreach ($command['insert'] as $post) {
        $id = wp_insert_post(wp_slash($post), true);
        if (is_wp_error($id)) {
            fwrite(STDERR, $id->get_error_message() . "\n");
            exit(1);
        }
        $answer['ids'][] = $id;
    }
}
if (isset($command['update'])) {
    $id = wp_update_post(wp_slash($command['update']), true);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    $answer['id'] = $id;
}
if (array_key_exists('permalinks', $command)) {
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure($command['permalinks']);
    flush_rewrite_rules(false);
    $answer['permalinks'] = get_option('permalink_structure');
}
echo json_encode($answer);
