<?php
/**
 * Plugin Name:       Listen
 * Description:       "Listen to this article" for every post: embeds the listen player and pushes posts to a self-hosted listen service when they are published.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       listen
 *
 * @package Listen
 */

defined( 'ABSPATH' ) || exit;

define( 'LISTEN_PLUGIN_FILE', __FILE__ );
define( 'LISTEN_OPTION', 'listen_settings' );

require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/player.php';
require_once __DIR__ . '/includes/push.php';
require_once __DIR__ . '/includes/editor.php';
