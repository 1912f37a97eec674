<?php
// Writes to a test WordPress with WordPress's own PHP: `php tool.php` with a JSON command
// on stdin, the site's address in LISTEN_TEST_WP_URL and its Debian config name in
// LISTEN_TEST_WP_CONFIG. Prints a JSON answer on stdout.
//   {"insert": [post, ...]}                -> {"ids": [id, ...]}  (wp_insert_post)
//   {"update": post with "ID"}             -> {"id": id}          (wp_update_post)
//   {"permalinks": "/%postname%/" or ""}   -> {"permalinks": ...}
//   {"activate": "dir/file.php"}           -> {"active": [...]}  (activate_plugin)
//   {"uninstall": "dir/file.php"}          -> {"uninstalled": true} (uninstall_plugin)
//   {"options": {name: value, ...}}        -> {"options": {name: stored value}} (update_option)
//   {"get": [name, ...]}                   -> {"get": {name: value or false}} (get_option)
//   {"trash": id}                          -> {"trashed": id}    (wp_trash_post)
//   {"meta": id}                           -> {"meta": {key: value}} (get_post_meta)
//   {"cron": hook, "ahead": seconds}       -> {"ran": [[time, args], ...]}
//       runs the hook's scheduled events due within `ahead` seconds as wp-cron.php
//       would when due (unschedule, then do_action), the tests' clock for WP-Cron
//       (the sites set DISABLE_WP_CRON: nothing runs on its own)
//   {"scheduled": hook}                    -> {"scheduled": [[time, args], ...]}
$url = parse_url(getenv('LISTEN_TEST_WP_URL'));
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['WORDPRESS_CONFIG'] = getenv('LISTEN_TEST_WP_CONFIG');
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

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
if (isset($command['activate'])) {
    $result = activate_plugin($command['activate'], '', false, false);
    if (is_wp_error($result)) {
        fwrite(STDERR, $result->get_error_message() . "\n");
        exit(1);
    }
    $answer['active'] = get_option('active_plugins');
}
if (isset($command['options'])) {
    $answer['options'] = array();
    foreach ($command['options'] as $name => $value) {
        update_option($name, $value);
        $answer['options'][$name] = get_option($name);
    }
}
if (isset($command['get'])) {
    $answer['get'] = array();
    foreach ($command['get'] as $name) {
        $answer['get'][$name] = get_option($name);
    }
}
if (isset($command['trash'])) {
    $answer['trashed'] = wp_trash_post($command['trash'])->ID;
}
if (isset($command['meta'])) {
    $answer['meta'] = array_map(fn($values) => $values[0], get_post_meta($command['meta']));
}
function listen_test_events($hook, $until) {
    $events = array();
    foreach (_get_cron_array() ?: array() as $time => $hooks) {
        foreach ($hooks[$hook] ?? array() as $event) {
            if ($time <= $until) {
                $events[] = array($time, $event['args']);
            }
        }
    }
    return $events;
}
if (isset($command['cron'])) {
    $answer['ran'] = listen_test_events($command['cron'], time() + ($command['ahead'] ?? 0));
    foreach ($answer['ran'] as [$time, $args]) {
        wp_unschedule_event($time, $command['cron'], $args);
        do_action_ref_array($command['cron'], $args);
    }
}
if (isset($command['scheduled'])) {
    $answer['scheduled'] = listen_test_events($command['scheduled'], PHP_INT_MAX);
}
if (isset($command['uninstall'])) {
    uninstall_plugin($command['uninstall']);
    $answer['uninstalled'] = true;
}
echo json_encode($answer);
